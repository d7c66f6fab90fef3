"""The fictional people of the demo organization, Riverside Health Trust.

Every name is invented. Emails use the reserved .test top-level domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_DOMAIN = "riverside.test"
DEMO_PASSWORD = "alongside-demo-2026"


@dataclass(frozen=True)
class Person:
    key: str
    display_name: str
    role: str = "member"
    pronouns: str = ""
    bio: str = ""
    why_ally: str = ""
    gender: str = ""
    gender_visibility: str = "private"
    login_hint: str = ""  # shown in the printed demo logins when set
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_DOMAIN}"


PEOPLE: list[Person] = [
    Person(
        "amara",
        "Amara Okafor",
        "program_admin",
        "she/her",
        "Runs the allyship program alongside her role in people operations.",
        login_hint="program admin",
    ),
    Person(
        "daniel",
        "Daniel Brooks",
        "member",
        "he/him",
        "Ward manager, surgical unit. Father of two, bad at sourdough.",
        "I spent years assuming fairness would happen by itself. Watching a colleague get "
        "talked over in every handover cured me of that.",
        gender="man",
        gender_visibility="organization",
        login_hint="ally with a pledge, confirmed actions and badges",
    ),
    Person(
        "sofia",
        "Sofia Marin",
        "facilitator",
        "she/her",
        "Clinical educator; runs the monthly listening circle.",
        login_hint="facilitator",
    ),
    Person(
        "kwame",
        "Kwame Mensah",
        "mentor",
        "he/him",
        "Consultant cardiologist and mentor to junior doctors.",
        "Sponsorship is the part of allyship that costs me something, so it is the part that counts.",
        login_hint="mentor and ally",
    ),
    Person(
        "priya",
        "Priya Nair",
        "member",
        "she/her",
        "Staff nurse on night shifts.",
        login_hint="member who confirms actions",
    ),
    Person(
        "tom",
        "Tom Hughes",
        "member",
        "he/him",
        "Estates and facilities lead.",
        "My daughter asked me why the board photo was all men. I didn't have an answer.",
    ),
    Person("lena", "Lena Fischer", "member", "she/her", "Pharmacist."),
    Person(
        "marcus",
        "Marcus Reid",
        "member",
        "he/him",
        "Finance business partner.",
        "Because the numbers in our pay report are my numbers too.",
    ),
    Person("hannah", "Hannah Cole", "member", "she/her", "Physiotherapist."),
    Person(
        "raj",
        "Raj Patel",
        "member",
        "he/him",
        "IT service desk manager.",
        "I want my team to be a place my sister would want to work.",
    ),
    Person("grace", "Grace Lin", "member", "she/her", "Radiographer."),
    Person(
        "oliver",
        "Oliver Grant",
        "member",
        "he/him",
        "Theatre practitioner.",
        "Learning to notice who does the invisible work, then doing some of it.",
    ),
    Person(
        "fatima",
        "Fatima Haddad",
        "member",
        "she/her",
        "Junior doctor, emergency medicine.",
    ),
    Person(
        "ben",
        "Ben Carter",
        "member",
        "he/him",
        "Paramedic liaison.",
        "Speaking up once is easy. I want to be the guy who does it every time.",
    ),
    Person(
        "chloe",
        "Chloe Dubois",
        "member",
        "she/her",
        "HR advisor.",
        login_hint="HR analyst: pay-gap reports and the wording checker",
    ),
    Person(
        "samuel",
        "Samuel Adeyemi",
        "member",
        "he/him",
        "Procurement officer.",
        "Fair decisions start with who gets asked.",
    ),
    Person("ines", "Inês Costa", "member", "she/her", "Dietitian."),
    Person(
        "liam",
        "Liam O'Connor",
        "member",
        "he/him",
        "Healthcare assistant.",
        "My mum was a nurse here for thirty years.",
    ),
    Person("mei", "Mei Tanaka", "member", "she/her", "Data analyst."),
    Person(
        "jonas",
        "Jonas Berg",
        "member",
        "he/him",
        "Anaesthetist.",
        "Because 'it's always been like this' is not a reason.",
    ),
    Person("zara", "Zara Ahmed", "member", "she/her", "Midwife."),
    Person("ethan", "Ethan Wright", "member", "he/him", "Communications officer."),
    Person("nadia", "Nadia Petrova", "member", "she/her", "Lab scientist."),
    Person(
        "carlos",
        "Carlos Ruiz",
        "member",
        "he/him",
        "Porter team leader.",
        "Respect on the ward starts with how we talk about each other off it.",
    ),
    Person("aisha", "Aisha Bello", "member", "she/her", "Occupational therapist."),
    Person(
        "peter",
        "Peter Novak",
        "member",
        "he/him",
        "Head of outpatients.",
        "I sign off rotas and promotions. That is where fairness is decided.",
    ),
    Person("ruth", "Ruth Mwangi", "member", "she/her", "Chaplain."),
    Person("yusuf", "Yusuf Kaya", "member", "he/him", "Junior doctor, surgery."),
    Person(
        "elena", "Elena Rossi", "member", "she/her", "Speech and language therapist."
    ),
    Person("noah", "Noah Kim", "member", "they/them", "Patient experience officer."),
]
