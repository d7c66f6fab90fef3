"""Riverside's circles: one of each kind, a project with goals and updates, a pending
request. Idempotent: nothing happens once the first demo circle exists."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

from django.utils import timezone

from alongside.circles.models import (
    Circle,
    CircleInvitation,
    CircleMembership,
    Goal,
    JoinRequest,
    ProgressUpdate,
)

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

FACILITATOR = CircleMembership.Role.FACILITATOR


class CircleSpec(TypedDict):
    slug: str
    name: str
    kind: str
    join_policy: str
    listing: str
    created_by: str
    description: str
    facilitators: list[str]
    members: list[str]


CIRCLES: list[CircleSpec] = [
    {
        "slug": "men-for-fair-rotas",
        "name": "Men for fair rotas",
        "kind": Circle.Kind.ADVOCACY,
        "join_policy": Circle.JoinPolicy.OPEN,
        "listing": Circle.Listing.LISTED,
        "created_by": "sofia",
        "description": (
            "Night shifts, weekend cover and last-minute swaps still land on the same "
            "people, and they are mostly women with caring duties.\n\n"
            "We are men on the wards who take our share and ask rota leads to publish "
            "how shifts are allocated. **We meet on the first Tuesday of the month.**"
        ),
        "facilitators": ["sofia", "daniel"],
        "members": ["tom", "ben", "raj", "priya"],
    },
    {
        "slug": "fair-rota-planner",
        "name": "Fair rota planner",
        "kind": Circle.Kind.PROJECT,
        "join_policy": Circle.JoinPolicy.REQUEST,
        "listing": Circle.Listing.LISTED,
        "created_by": "amara",
        "description": (
            "A project to replace the spreadsheet rota on the surgical unit with rules "
            "everyone can read: who worked the last bank holiday, who has caring "
            "duties, who has not had a weekend off in a month."
        ),
        "facilitators": ["daniel"],
        "members": ["marcus", "raj", "oliver", "lena"],
    },
    {
        "slug": "new-fathers",
        "name": "New fathers",
        "kind": Circle.Kind.SUPPORT,
        "join_policy": Circle.JoinPolicy.INVITATION,
        "listing": Circle.Listing.UNLISTED,
        "created_by": "amara",
        "description": (
            "For staff who became fathers in the last two years: taking the full "
            "parental leave, asking for flexible hours, and what nobody tells you. "
            "What is said here stays here."
        ),
        "facilitators": ["kwame"],
        "members": ["daniel", "oliver", "ben"],
    },
    {
        "slug": "night-shift-voices",
        "name": "Night shift voices",
        "kind": Circle.Kind.LISTENING,
        "join_policy": Circle.JoinPolicy.REQUEST,
        "listing": Circle.Listing.LISTED,
        "created_by": "sofia",
        "description": (
            "A monthly listening circle: women on night shifts speak, men listen and "
            "do not answer back. Notes are never taken."
        ),
        "facilitators": ["sofia"],
        "members": ["priya", "fatima", "grace", "hannah", "tom"],
    },
]

GOALS = [
    ("Map how night shifts are allocated today", -40, True),
    ("Agree the rota rules with the ward managers", -10, True),
    ("Pilot the planner on the surgical unit", 45, False),
    ("Report the results to the board", 120, False),
]

UPDATES = [
    (
        "marcus",
        35,
        "Mapping done: over the last quarter **62%** of night shifts went to staff "
        "with declared caring duties. The spreadsheet is in the shared drive.",
    ),
    (
        "daniel",
        12,
        "Ward managers agreed the first five rules. The hardest one: nobody works two "
        "bank holidays in a row unless they asked to.",
    ),
    (
        "raj",
        3,
        "IT found us a test environment. Pilot starts once the surgical unit's rota "
        "lead has had a walkthrough.",
    ),
]


def load(organization: Organization, users: dict[str, User]) -> None:
    if Circle.objects.filter(
        organization=organization, slug=CIRCLES[0]["slug"]
    ).exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    circles: dict[str, Circle] = {}
    for spec in CIRCLES:
        circle = Circle.objects.create(
            organization=organization,
            slug=spec["slug"],
            name=spec["name"],
            kind=spec["kind"],
            join_policy=spec["join_policy"],
            listing=spec["listing"],
            description=spec["description"],
            created_by=users.get(spec["created_by"]),
            created_at=now - timedelta(days=60),
        )
        circles[spec["slug"]] = circle
        for position, key in enumerate([*spec["facilitators"], *spec["members"]]):
            if key not in users:
                continue
            CircleMembership.objects.create(
                circle=circle,
                user=users[key],
                role=FACILITATOR
                if key in spec["facilitators"]
                else CircleMembership.Role.MEMBER,
                joined_at=now - timedelta(days=60 - position),
            )

    project = circles["fair-rota-planner"]
    for title, days, done in GOALS:
        Goal.objects.create(
            circle=project,
            title=title,
            target_date=today + timedelta(days=days),
            status=Goal.Status.DONE if done else Goal.Status.OPEN,
            completed_at=now + timedelta(days=days - 2) if done else None,
            created_by=users.get("daniel"),
            created_at=now - timedelta(days=55),
        )
    for key, days_ago, body in UPDATES:
        ProgressUpdate.objects.create(
            circle=project,
            author=users.get(key),
            body=body,
            created_at=now - timedelta(days=days_ago),
        )
    if "samuel" in users:
        JoinRequest.objects.create(
            circle=project,
            user=users["samuel"],
            message="I buy the rota software licences, so I can help with the pilot.",
            created_at=now - timedelta(days=1),
        )
    if "liam" in users and "kwame" in users:
        CircleInvitation.objects.create(
            circle=circles["new-fathers"],
            invitee=users["liam"],
            invited_by=users["kwame"],
            created_at=now - timedelta(days=2),
        )
