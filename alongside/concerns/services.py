"""Writes on concerns: each in one transaction, each with its audit record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import audit_record
from alongside.concerns.models import Concern, ConcernNote, new_reference
from alongside.notifications.models import Notification
from alongside.notifications.services import notification_send
from alongside.organizations.models import Membership

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization


class ConcernError(Exception):
    """A rule of concern handling was broken; the message is for the person acting."""


def _unused_reference() -> str:
    # 31^8 references make a clash vanishingly rare; the unique index is the real guard.
    for _attempt in range(5):
        reference = new_reference()
        if not Concern.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("could not find an unused concern reference")


@transaction.atomic
def concern_raise(
    *,
    organization: Organization,
    reporter: User | None,
    subject_member: User | None,
    subject_name: str,
    description: str,
    contact_email: str,
) -> Concern:
    """Store a concern and tell the organization's program admins that one arrived.

    `reporter` is None for an anonymous visitor or a member who chose not to link the
    concern to the account. Admins are told only that a concern exists, never what it
    says, and an admin it is about is not told at all.
    """
    if subject_member is not None:
        if not organization.has_member(subject_member):
            raise ConcernError(_("Pick a member of this organization."))
        subject_name = subject_name or subject_member.name
    concern = Concern(
        organization=organization,
        reference=_unused_reference(),
        reporter=reporter,
        subject_member=subject_member,
        subject_name=subject_name.strip()[:120],
        description=description,
        contact_email=contact_email,
    )
    concern.full_clean()
    concern.save()
    # No actor and no IP address, even for a linked reporter: the audit trail is read by
    # every program admin, including one a concern may be about. Who raised a linked
    # concern is on the concern itself, which that admin cannot open.
    audit_record(
        action="concern.raised",
        organization=organization,
        target=concern,
        data={"reference": concern.reference, "linked_account": reporter is not None},
    )
    admins = (
        Membership.objects.for_organization(organization)
        .admins()
        .active()
        .select_related("user")
    )
    if subject_member is not None:
        admins = admins.exclude(user=subject_member)
    queue_url = reverse("concerns:queue", kwargs={"org": organization.slug})
    for membership in admins:
        notification_send(
            user=membership.user,
            organization=organization,
            kind=Notification.Kind.CONCERN,
            message=_(
                "A new concern was raised in %(organization)s. Open the concern queue to read it."
            )
            % {"organization": organization.name},
            url=queue_url,
            email_template="concerns/email/concern_raised",
        )
    return concern


@transaction.atomic
def concern_add_note(
    *,
    concern: Concern,
    author: User,
    text: str,
    status: str,
    request: HttpRequest | None = None,
) -> ConcernNote:
    """Add an internal note, changing the status when `status` differs from the current one."""
    if concern.is_about(author):
        raise ConcernError(_("You cannot handle a concern about yourself."))
    if status not in Concern.Status.values:
        raise ConcernError(_("Choose a valid status."))
    text = text.strip()
    if not text:
        raise ConcernError(_("Write a note."))
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    previous = concern.status
    note = ConcernNote(
        concern=concern,
        author=author,
        text=text,
        status_from=previous,
        status_to=status,
    )
    note.full_clean()
    note.save()
    concern.status = status
    concern.updated_at = timezone.now()
    concern.save(update_fields=("status", "updated_at"))
    if previous != status:
        audit_record(
            action="concern.status_changed",
            actor=author,
            organization=concern.organization,
            target=concern,
            data={"reference": concern.reference, "from": previous, "to": status},
            request=request,
        )
    else:
        audit_record(
            action="concern.note_added",
            actor=author,
            organization=concern.organization,
            target=concern,
            data={"reference": concern.reference},
            request=request,
        )
    return note


@transaction.atomic
def concern_assign(
    *,
    concern: Concern,
    assignee: User | None,
    actor: User,
    request: HttpRequest | None = None,
) -> Concern:
    """Assign the concern to one of the organization's program admins, or to nobody."""
    if concern.is_about(actor):
        raise ConcernError(_("You cannot handle a concern about yourself."))
    if assignee is not None:
        if concern.is_about(assignee):
            raise ConcernError(
                _("A concern cannot be assigned to the person it is about.")
            )
        is_admin = (
            Membership.objects.for_organization(concern.organization)
            .admins()
            .active()
            .filter(user=assignee)
            .exists()
        )
        if not is_admin:
            raise ConcernError(_("Assign it to a program admin of this organization."))
    concern.assigned_to = assignee
    concern.updated_at = timezone.now()
    concern.save(update_fields=("assigned_to", "updated_at"))
    audit_record(
        action="concern.assigned",
        actor=actor,
        organization=concern.organization,
        target=concern,
        data={
            "reference": concern.reference,
            "assigned_to": assignee.pk if assignee is not None else None,
        },
        request=request,
    )
    return concern


def concern_record_view(
    *, concern: Concern, viewer: User, request: HttpRequest | None = None
) -> None:
    """Reading a concern is itself recorded: who read which concern, and when."""
    audit_record(
        action="concern.viewed",
        actor=viewer,
        organization=concern.organization,
        target=concern,
        data={"reference": concern.reference},
        request=request,
    )
