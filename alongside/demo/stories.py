"""Pledges and actions of the demo allies, written for the demo (fictional)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Commitment:
    category: str
    title: str
    specifics: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Story:
    ally: str
    statement: str
    cadence: str
    weeks_ago: int  # when the pledge started
    commitments: tuple[Commitment, ...]
    confirmers: tuple[str, ...] = ()  # people asked to confirm some actions
    visibility: str = "organization"


STORIES: list[Story] = [
    Story(
        "daniel",
        "I will make sure the women on my unit are heard in handovers and credited for their ideas, "
        "and I will take on my share of the work nobody sees.",
        "weekly",
        14,
        (
            Commitment(
                "speak_up",
                "Credit ideas to the person who raised them",
                "In the Monday handover, when an idea gets repeated by someone else, I say whose it was.",
                (
                    "Pointed out in handover that the new falls-checklist idea was Priya's from last week, not mine.",
                    "Made sure Grace's suggestion about the discharge lounge was minuted under her name.",
                    "Stopped a consultant mid-sentence to say Fatima had raised the same concern an hour earlier.",
                    "Wrote to the directorate that the winter-pressures plan came from Lena's team, by name.",
                    "In the audit meeting, named Grace as the author of the new discharge checklist.",
                ),
            ),
            Commitment(
                "share_load",
                "Take on office housework",
                "I'll take notes, book rooms and organise leaving cards in turn instead of leaving it to the same two nurses.",
                (
                    "Took the minutes for the governance meeting and circulated them the same day.",
                    "Organised the leaving collection for Ruth's retirement myself.",
                    "Booked the teaching room for the month and set up the rota sheet.",
                ),
            ),
            Commitment(
                "listen_learn",
                "Ask, then listen",
                "Once a week I ask one colleague what gets in her way at work, and I don't argue with the answer.",
                (
                    "Asked Lena how the night-shift changes affect her childcare. Listened; didn't offer fixes.",
                    "Had coffee with Zara about being the only woman on the estates project board.",
                ),
            ),
        ),
        confirmers=("priya", "grace", "fatima", "lena"),
        visibility="public",
    ),
    Story(
        "kwame",
        "I will use my seniority to open doors: sponsor women registrars for visible work and speak their names in rooms they are not in.",
        "monthly",
        30,
        (
            Commitment(
                "sponsor_mentor",
                "Sponsor someone for a stretch opportunity",
                "Each month I nominate a woman registrar for a visible project, talk, or committee seat.",
                (
                    "Nominated Dr Haddad to present the audit results at the regional cardiology meeting.",
                    "Put Nadia forward for the research governance committee seat.",
                    "Recommended Zara to lead the new triage pilot.",
                    "Wrote a sponsorship letter for Aisha's leadership programme application.",
                ),
            ),
            Commitment(
                "fair_decisions",
                "Check the shortlist before it is final",
                "When I sit on an interview panel, I ask how the shortlist was built and whether the criteria were agreed first.",
                (
                    "Asked the panel to agree scoring criteria before reading applications for the registrar post.",
                    "Queried why the shortlist for the fellowship had no women; two strong applicants were reconsidered.",
                ),
            ),
        ),
        confirmers=("fatima", "nadia", "zara", "aisha"),
    ),
    Story(
        "tom",
        "I will stop laughing along and start saying something when jokes at women's expense come up on site.",
        "weekly",
        10,
        (
            Commitment(
                "challenge_norms",
                "Interrupt sexist jokes",
                "On site and in the canteen, I say plainly that a joke isn't on, without making a scene.",
                (
                    "Told two contractors that their comment about the new engineer wasn't acceptable here.",
                    "Said 'not funny, mate' in the canteen. The table went quiet; then someone changed the subject.",
                ),
            ),
            Commitment(
                "speak_up",
                "Back up a colleague in the moment",
                "When a woman on my team is dismissed in a meeting, I say I'd like to hear her finish.",
                (
                    "Asked the project board to let Zara finish her point about the lift contract.",
                ),
            ),
        ),
        confirmers=("zara",),
    ),
    Story(
        "marcus",
        "I will learn how our pay gap is built and push for the fixes finance can make.",
        "monthly",
        20,
        (
            Commitment(
                "listen_learn",
                "Learn how the pay gap is measured",
                "Read our gender pay gap report properly and the method behind it, and explain it to my team.",
                (
                    "Walked the finance team through the quartile figures in our last pay gap report.",
                    "Read the guidance on how bonus gaps are calculated and wrote a one-page summary.",
                ),
            ),
            Commitment(
                "fair_decisions",
                "Question starting salaries",
                "I check new starting salaries against the band midpoint and ask when an offer is out of line.",
                (
                    "Flagged that two offers for the same band differed by 9% with no documented reason.",
                    "Asked HR to add a band check to the offer approval form.",
                ),
            ),
        ),
        confirmers=("chloe",),
    ),
    Story(
        "raj",
        "I will make my team a place where women are promoted on the same evidence as men.",
        "monthly",
        24,
        (
            Commitment(
                "fair_decisions",
                "Use the same questions for every candidate",
                "Structured interviews with the same questions and a scoring sheet for every hire and promotion.",
                (
                    "Rewrote the service desk promotion interview into six fixed questions with a scoring guide.",
                    "Ran the team lead interviews with a shared scoring sheet and a second scorer.",
                ),
            ),
            Commitment(
                "sponsor_mentor",
                "Mentor a colleague",
                "Monthly hour with Mei on the path to the infrastructure lead role.",
                (
                    "First mentoring hour with Mei: mapped the skills for the infrastructure role.",
                    "Got Mei a shadowing day with the network architects.",
                    "Reviewed Mei's application for the lead role and did a mock interview.",
                ),
            ),
        ),
        confirmers=("mei",),
    ),
    Story(
        "oliver",
        "I will notice who does the invisible work in theatre and do my share of it.",
        "weekly",
        8,
        (
            Commitment(
                "share_load",
                "Restock and tidy without being asked",
                "At the end of each list I do the restock and paperwork instead of leaving it to whoever usually does it.",
                (
                    "Did the end-of-list restock and count twice this week.",
                    "Took over the instrument tray audit paperwork for the month.",
                ),
            ),
        ),
        confirmers=("hannah",),
    ),
    Story(
        "ben",
        "I will step in when I see a woman colleague harassed by a patient or a member of the public, and report it every time.",
        "monthly",
        16,
        (
            Commitment(
                "speak_up",
                "Intervene as a bystander",
                "Use the distract, delegate, direct approach when a colleague is being harassed, and check on her afterwards.",
                (
                    "A relative was shouting at a nurse at the ambulance bay; I stepped in and took over the conversation.",
                    "Checked in with Priya after a patient's comments and helped her file the incident report.",
                ),
            ),
            Commitment(
                "challenge_norms",
                "Report every incident",
                "No more 'it's not worth the paperwork': I file the report and encourage others to.",
                (
                    "Filed two incident reports for verbal abuse towards staff that would previously have gone unreported.",
                ),
            ),
        ),
        confirmers=("priya",),
    ),
    Story(
        "samuel",
        "I will widen who we ask: more women-led suppliers invited to tender, and more women on evaluation panels.",
        "quarterly",
        40,
        (
            Commitment(
                "fair_decisions",
                "Diverse evaluation panels",
                "Every tender panel I set up has at least two women scoring.",
                (
                    "Set up the catering tender panel with three women and two men.",
                    "Asked Lena to join the pharmacy systems evaluation as a scorer, not an observer.",
                ),
            ),
        ),
        confirmers=("lena",),
    ),
    Story(
        "liam",
        "I will learn before I speak: one thing a month about what women in care work deal with.",
        "monthly",
        12,
        (
            Commitment(
                "listen_learn",
                "Read or listen to women's experience",
                "One book, article or podcast a month about women in caring professions, and share one thing I learned.",
                (
                    "Read a report on violence against NHS staff and shared the figures with my team.",
                    "Listened to a podcast episode about midwives leaving the profession; talked about it at break.",
                ),
            ),
        ),
    ),
    Story(
        "jonas",
        "I will make sure women in anaesthetics get the same teaching time and theatre lists as the men.",
        "monthly",
        18,
        (
            Commitment(
                "fair_decisions",
                "Share out the good lists fairly",
                "I check the list allocation each month for who gets the complex cases.",
                (
                    "Reviewed three months of list allocations: women trainees had 30% fewer complex cases. Raised it at the rota meeting.",
                    "Swapped two of my teaching lists to trainees who had missed out.",
                ),
            ),
            Commitment(
                "speak_up",
                "Name interruptions",
                "When a woman colleague is interrupted in the departmental meeting, I say so.",
                ("Said 'I'd like to hear Elena finish' in the audit meeting.",),
            ),
        ),
        confirmers=("elena",),
    ),
    Story(
        "carlos",
        "I will set the tone for my porter team: respectful talk about colleagues, on and off the ward.",
        "weekly",
        6,
        (
            Commitment(
                "challenge_norms",
                "Set the tone in the team room",
                "I challenge comments about women's looks in our team room, and explain why once.",
                (
                    "Talked to the team at briefing about comments on a nurse's appearance; asked that it stops.",
                    "Took a new starter aside after a remark and explained how it lands.",
                ),
            ),
        ),
        confirmers=("aisha",),
    ),
    Story(
        "peter",
        "I will make rota and promotion decisions in outpatients transparent, so nobody loses out for having caring duties.",
        "quarterly",
        36,
        (
            Commitment(
                "fair_decisions",
                "Publish how rotas are decided",
                "Write down and share the rules for rota requests and flexible working, and apply them the same way to everyone.",
                (
                    "Published the rota request rules on the staff noticeboard and intranet.",
                    "Approved two flexible-working requests under the published rules that would previously have been refused.",
                ),
            ),
            Commitment(
                "sponsor_mentor",
                "Sponsor a part-time colleague",
                "Make sure part-time staff, mostly women, are considered for acting-up roles.",
                (
                    "Offered the acting deputy manager role to Ruth, who works three days a week.",
                ),
            ),
        ),
        confirmers=("ruth",),
    ),
    Story(
        "yusuf",
        "I will not stay silent when women colleagues are mistaken for nurses or talked down to by patients.",
        "monthly",
        5,
        (
            Commitment(
                "speak_up",
                "Correct the introduction",
                "When a patient addresses me as the doctor and my woman colleague as the nurse, I correct it.",
                (
                    "On the ward round I introduced Dr Haddad as the lead doctor when the patient spoke only to me.",
                ),
            ),
        ),
    ),
    Story(
        "ethan",
        "I will check our communications so women staff are shown as experts, not only as carers.",
        "monthly",
        9,
        (
            Commitment(
                "challenge_norms",
                "Check who we quote",
                "Count who we quote as experts in the newsletter and press releases every month.",
                (
                    "Audited the last six newsletters: 22% of expert quotes were women. Shared the figure with the team.",
                    "Asked Nadia to be the spokesperson for the lab's new testing service.",
                ),
            ),
        ),
        confirmers=("nadia",),
    ),
]

CONFIRMATION_NOTES: tuple[str, ...] = (
    "Yes, this happened, and it made a real difference that day.",
    "Confirmed. Thank you for saying it out loud.",
    "I noticed. Thank you.",
    "Yes. It meant a lot that you did this without being asked.",
    "",
)

# Commitments that have ended, honestly: (ally, commitment title) -> (outcome, reflection).
ENDINGS: dict[tuple[str, str], tuple[str, str]] = {
    ("kwame", "Check the shortlist before it is final"): (
        "kept",
        "Panels now agree criteria before anyone reads an application. It has become the norm, so I'm moving on to sponsorship.",
    ),
    ("tom", "Back up a colleague in the moment"): (
        "not_managed",
        "Twice I froze and said nothing, and only apologised to her afterwards. I'm going to practise what to say and try again in my next pledge.",
    ),
    ("marcus", "Learn how the pay gap is measured"): (
        "kept",
        "I can now explain our quartiles and bonus gap to anyone who asks, and my team can too.",
    ),
}
