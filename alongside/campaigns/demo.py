"""Demo campaigns at Riverside: one live, with a few hundred confirmed signatures spread
over the past weeks (the stored counter set to match), and one draft. Idempotent.

Signers are invented; their addresses use the reserved .test top-level domain.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from alongside.campaigns.models import Campaign, Gender, Signature

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

LIVE_SLUG = "riverside-stands-with-women-in-healthcare"
DRAFT_SLUG = "riverside-white-ribbon-2027"
SIGNER_DOMAIN = "supporters.test"

FIRST_NAMES = (
    "Aaron", "Abena", "Adil", "Aisha", "Alex", "Amina", "Andrés", "Ben", "Bilal", "Bongani",
    "Callum", "Carlos", "Chen", "Chidi", "Chloe", "Dami", "Dan", "Darius", "Deepak", "Eamon",
    "Elif", "Emeka", "Ewan", "Farid", "Femi", "Finn", "Gareth", "Grace", "Hamza", "Hannah",
    "Hugo", "Ibrahim", "Imran", "Isaac", "Jack", "Jamal", "Jonas", "Jorge", "Kai", "Kofi",
    "Kwabena", "Leo", "Liam", "Lucas", "Luis", "Malik", "Marek", "Mateo", "Mehmet", "Musa",
    "Nadia", "Niall", "Noah", "Obi", "Omar", "Oscar", "Pavel", "Pedro", "Rahul", "Ravi",
    "Rhys", "Rory", "Sami", "Sanjay", "Sean", "Sipho", "Tariq", "Theo", "Tomás", "Tunde",
    "Umar", "Viktor", "Wei", "Yusuf", "Zane", "Zara",
)  # fmt: skip
COUNTRIES = (("GB", 60), ("IE", 8), ("NG", 8), ("IN", 7), ("KE", 5), ("PL", 4), ("US", 3), ("ES", 2), ("PH", 2), ("ZA", 1))  # fmt: skip
GENDERS = ((Gender.MAN, 62), (Gender.WOMAN, 24), (Gender.ANOTHER, 2), (Gender.UNDISCLOSED, 7), ("", 5))  # fmt: skip

STATEMENT = """Nurses, midwives, doctors, porters, cleaners and carers: most of the people
who keep Riverside's wards running are women, and too many of them still meet
interruptions, unfair rotas, harassment on night shifts and a pay gap at the top.

**We sign because care is a team effort, and fairness is everyone's job.** We commit to:

- speak up when a colleague is talked over or belittled, on the ward and in meetings;
- share the invisible work: rotas, handovers, cover and the tea round;
- back women's applications for senior and consultant posts;
- report harassment, and believe colleagues who report it.

Our goal: 1,000 signatures by International Women's Day, 8 March 2027."""

PRIVACY = """**Who keeps your signature:** Riverside Health Trust's allyship program
(fictional, for this demo).

**What we keep:** your email address (never shown publicly), and if you give them your
first name, country and how you sign. Your first name appears on the public list only
if you tick the box.

**Why:** to count confirmed signatures toward the goal and report, in aggregate only,
how many men have committed. Groups under five people are never shown.

**How long:** until the campaign report is published, at most 12 months after the
campaign closes. Unconfirmed signatures are deleted about a month after their link
expires.

**Your rights:** withdraw at any time with the link in your confirmation email; your
signature and details are then deleted."""


def _digest(seed: str) -> str:
    # Random-looking digests of tokens nobody holds: demo signers can't be confirmed
    # or withdrawn by link, which is what we want.
    return hashlib.sha256(f"demo-campaign:{seed}".encode()).hexdigest()


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*options, strict=True)
    return str(rng.choices(values, weights=weights)[0])


def load(organization: Organization, users: dict[str, User]) -> None:
    if Campaign.objects.filter(slug=LIVE_SLUG).exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    admin = users.get("amara") or next(iter(users.values()), None)
    starts = timezone.make_aware(datetime.combine(today - timedelta(weeks=7), time(9)))
    campaign = Campaign.objects.create(
        organization=organization,
        slug=LIVE_SLUG,
        title=(
            "Riverside stands with women in healthcare: 1,000 signatures by "
            "International Women's Day 2027"
        ),
        statement=STATEMENT,
        goal=1000,
        starts_at=starts,
        ends_at=timezone.make_aware(datetime(2027, 3, 8, 23, 59)),
        consent_text=(
            "I agree that Riverside Health Trust keeps my signature as the privacy "
            "notice describes."
        ),
        privacy_notice=PRIVACY,
        frame_ancestors="https://intranet.riverside.test",
        status=Campaign.Status.PUBLISHED,
        published_at=starts,
        created_by=admin,
        created_at=starts - timedelta(days=3),
    )
    rng = random.Random(2027)
    signatures = []
    total_minutes = int((now - starts).total_seconds() // 60) - 60
    for n in range(1, 381):
        # More signatures early on and in the last days, like a real drive.
        position = rng.betavariate(0.8, 0.9)
        signed = starts + timedelta(minutes=int(position * total_minutes))
        pending = n % 19 == 0  # a few still waiting for their owner to confirm
        if pending:
            signed = now - timedelta(minutes=rng.randint(60, 5 * 24 * 60))
        confirmed = None if pending else signed + timedelta(minutes=rng.randint(2, 600))
        if confirmed is not None and confirmed > now:
            confirmed = now - timedelta(minutes=1)
        name = rng.choice(FIRST_NAMES)
        signatures.append(
            Signature(
                campaign=campaign,
                normalized_email=f"signer{n:03d}@{SIGNER_DOMAIN}",
                first_name=name,
                show_name=rng.random() < 0.55,
                country=_weighted(rng, COUNTRIES),
                gender=_weighted(rng, GENDERS),
                created_at=signed,
                confirmed_at=confirmed,
                confirm_token_digest=_digest(f"c{n}"),
                confirm_expires_at=signed + timedelta(days=7),
                withdraw_token_digest=_digest(f"w{n}"),
                email_sent_at=signed,
            )
        )
    Signature.objects.bulk_create(signatures)
    Campaign.objects.filter(pk=campaign.pk).update(
        confirmed_count=Signature.objects.for_campaign(campaign).confirmed().count()
    )
    Campaign.objects.create(
        organization=organization,
        slug=DRAFT_SLUG,
        title="White Ribbon Day 2027: Riverside men say no to violence against women",
        statement=(
            "Every man at Riverside can help end men's violence against women. "
            "We promise never to commit, excuse or stay silent about it."
        ),
        goal=500,
        starts_at=timezone.make_aware(datetime(2027, 11, 1, 9, 0)),
        ends_at=timezone.make_aware(datetime(2027, 11, 25, 23, 59)),
        consent_text=(
            "I agree that Riverside Health Trust keeps my signature as the privacy "
            "notice describes."
        ),
        privacy_notice=PRIVACY,
        created_by=admin,
    )
