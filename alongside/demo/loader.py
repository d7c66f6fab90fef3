"""Build the demo organization: people, a commitment catalogue, pledges, actions,
confirmations, kudos and badges, dated relative to today so the program looks alive."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from importlib import import_module
from types import ModuleType

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alongside.accounts.models import User
from alongside.demo.people import DEMO_DOMAIN, DEMO_PASSWORD, PEOPLE
from alongside.demo.stories import CONFIRMATION_NOTES, ENDINGS, STORIES, Story
from alongside.lib.tokens import new_token
from alongside.organizations.models import Membership, Organization
from alongside.pledges.models import (
    Action,
    CommitmentTemplate,
    ConfirmationRequest,
    Pledge,
    PledgeCommitment,
)

DEMO_SLUG = "riverside"


def demo_load() -> bool:
    """Create the demo organization unless it exists, then let every app add its part.

    Return whether the organization was created. Each app's part lives in
    `alongside/<app>/demo.py` as `load(organization, users)`, which must be idempotent: it
    runs on every start, so a database made before the app existed gets its demo data too.
    """
    created = _load_core()
    organization = Organization.objects.get(slug=DEMO_SLUG)
    users = {
        m.user.email.split("@")[0]: m.user
        for m in Membership.objects.for_organization(organization).select_related(
            "user"
        )
    }
    for module in app_demo_modules():
        with transaction.atomic():
            module.load(organization, users)
    return created


def app_demo_modules() -> list[ModuleType]:
    """The `demo` module of every installed Alongside app that has one, in app order."""
    modules = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("alongside."):
            continue
        name = f"{app_config.name}.demo"
        try:
            modules.append(import_module(name))
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
    return modules


def _load_core() -> bool:
    if Organization.objects.filter(slug=DEMO_SLUG).exists():
        return False
    with transaction.atomic():
        organization = Organization.objects.create(
            name="Riverside Health Trust",
            slug=DEMO_SLUG,
            description=(
                "A fictional hospital trust running its allyship program on Alongside. "
                "Everyone here is invented; explore freely."
            ),
            join_domains=DEMO_DOMAIN,
            require_admin_mfa=False,
            is_demo=True,
        )
        users = _create_people(organization)
        CommitmentTemplate.objects.ensure_default_catalogue(organization)
        today = timezone.localdate()
        for story in STORIES:
            _create_story(organization, users, story, today)
    _recognize(organization, users)
    return True


def _create_people(organization: Organization) -> dict[str, User]:
    users: dict[str, User] = {}
    joined = timezone.now() - timedelta(weeks=44)
    for i, person in enumerate(PEOPLE):
        user = User.objects.create_user(
            person.email,
            password=DEMO_PASSWORD,
            display_name=person.display_name,
            pronouns=person.pronouns,
            bio=person.bio,
            why_ally=person.why_ally,
            gender=person.gender,
            gender_visibility=person.gender_visibility,
            date_joined=joined + timedelta(days=i),
        )
        EmailAddress.objects.create(
            user=user, email=person.email, verified=True, primary=True
        )
        Membership.objects.create(
            organization=organization,
            user=user,
            role=person.role,
            joined_at=user.date_joined,
            role_granted_at=user.date_joined,
        )
        users[person.key] = user
    return users


def _create_story(
    organization: Organization, users: dict[str, User], story: Story, today: date
) -> None:
    ally = users[story.ally]
    started = today - timedelta(weeks=story.weeks_ago)
    pledge = Pledge.objects.create(
        organization=organization,
        member=ally,
        statement=story.statement,
        cadence=story.cadence,
        visibility=story.visibility,
        started_on=started,
        created_at=_at(started, 9),
    )
    span = (today - started).days
    confirmers = list(story.confirmers)
    for position, item in enumerate(story.commitments):
        template = CommitmentTemplate.objects.filter(
            organization=organization, category=item.category
        ).first()
        commitment = PledgeCommitment.objects.create(
            pledge=pledge,
            template=template,
            title=item.title,
            specifics=item.specifics,
            position=position,
        )
        count = len(item.actions)
        for n, text in enumerate(item.actions):
            occurred = started + timedelta(
                days=max(1, (n + 1) * span // (count + 1) - position * 3)
            )
            action = Action.objects.create(
                organization=organization,
                member=ally,
                commitment=commitment,
                occurred_on=min(occurred, today),
                description=text,
                visibility=story.visibility,
                created_at=_at(min(occurred, today), 17),
            )
            if confirmers and (n + position) % 3 != 2:
                _ask_confirmation(
                    action,
                    users[confirmers[(n + position) % len(confirmers)]],
                    confirmed=n < count - 1 or count == 1,
                )
        if ending := ENDINGS.get((story.ally, item.title)):
            outcome, reflection = ending
            PledgeCommitment.objects.filter(pk=commitment.pk).update(
                outcome=outcome,
                reflection=reflection,
                ended_at=_at(today - timedelta(days=3), 12),
            )


def _ask_confirmation(action: Action, recipient: User, *, confirmed: bool) -> None:
    _, digest = new_token()
    asked = datetime.combine(
        action.occurred_on, time(18), tzinfo=timezone.get_current_timezone()
    )
    request = ConfirmationRequest.objects.create(
        action=action,
        requester=action.member,
        recipient_email=recipient.email,
        recipient_name=recipient.display_name,
        token_digest=digest,
        created_at=asked,
        expires_at=asked + timedelta(days=settings.CONFIRMATION_LINK_DAYS),
    )
    if not confirmed:
        return
    answered = asked + timedelta(hours=20)
    note = CONFIRMATION_NOTES[action.pk % len(CONFIRMATION_NOTES)]
    ConfirmationRequest.objects.filter(pk=request.pk).update(
        status=ConfirmationRequest.Status.CONFIRMED, responded_at=answered
    )
    Action.objects.filter(pk=action.pk).update(
        confirmed_at=answered, confirmation_note=note
    )


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


KUDOS_MESSAGES: tuple[str, ...] = (
    "Saw this happen. Thank you.",
    "This is what it looks like when someone means it.",
    "Quietly brilliant.",
    "More of this, please.",
    "",
)


def _recognize(organization: Organization, users: dict[str, User]) -> None:
    """Kudos between members, then the badges the record above has earned.

    Both go through the real services so every rule applies. The demo sends no email:
    tasks go to a dummy backend while it loads (in-app notifications are still created).
    """
    from django.test.utils import override_settings

    from alongside.recognition.services import badges_evaluate, kudos_give

    givers = [users[p.key] for p in PEOPLE if p.key not in {s.ally for s in STORIES}]
    with override_settings(
        TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    ):
        confirmed = (
            Action.objects.for_organization(organization)
            .confirmed()
            .select_related("member")
            .order_by("occurred_on", "pk")
        )
        for n, action in enumerate(confirmed):
            for k in range(n % 3):
                giver = givers[(n * 3 + k) % len(givers)]
                kudos_give(
                    giver=giver,
                    organization=organization,
                    action=action,
                    message=KUDOS_MESSAGES[(n + k) % len(KUDOS_MESSAGES)],
                )
        for ally, pledge_of in (
            ("daniel", "kwame"),
            ("kwame", "daniel"),
            ("tom", "ben"),
        ):
            pledge = Pledge.objects.filter(
                organization=organization, member=users[pledge_of]
            ).first()
            if pledge is not None:
                kudos_give(
                    giver=users[ally],
                    organization=organization,
                    pledge=pledge,
                    message=KUDOS_MESSAGES[0],
                )
        for user in users.values():
            badges_evaluate(organization=organization, member=user)
