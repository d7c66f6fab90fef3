"""Concerns: a confidential route to an organization's program admins.

Anyone may raise a concern about an ally's conduct, with or without an account. Only the
organization's program admins read it, and never an admin the concern is about.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

# No 0/O, 1/I/L: a reference is read aloud or copied by hand.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
DESCRIPTION_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 5000


def new_reference() -> str:
    """A random, non-sequential reference such as "C-7KQ4-M9XA" (31^8 ≈ 8.5e11 values)."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"C-{chars[:4]}-{chars[4:]}"


class ConcernQuerySet(models.QuerySet["Concern"]):
    def for_organization(self, organization: Organization) -> ConcernQuerySet:
        return self.filter(organization=organization)

    def visible_to_admin(
        self, admin: User, organization: Organization
    ) -> ConcernQuerySet:
        """The organization's concerns an admin may handle: never those about the admin.

        The caller has already established that `admin` is a program admin of
        `organization` (the @admin_required door does).
        """
        return self.filter(organization=organization).exclude(subject_member=admin)

    def open(self) -> ConcernQuerySet:
        return self.filter(status__in=Concern.OPEN_STATUSES)


class Concern(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    OPEN_STATUSES = (Status.NEW, Status.IN_REVIEW)

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    reference = models.CharField(max_length=11, unique=True, default=new_reference)
    # Set only when a signed-in person raised it and did not ask to stay anonymous.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The member the concern is about, when a member of the organization picked one.
    # That person never sees the concern, even as a program admin.
    subject_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Whom it is about, as the reporter wrote it (or the picked member's name at the
    # time), kept when the account named is erased: the organization's duty of care.
    subject_name = models.CharField(_("whom it is about"), max_length=120)
    description = models.TextField(
        _("what happened"),
        max_length=DESCRIPTION_MAX_LENGTH,
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
    )
    contact_email = models.EmailField(_("email for a reply"), blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(
                fields=("organization", "status", "-created_at"),
                name="concern_queue",
            ),
        )

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_about(self, user: User) -> bool:
        return self.subject_member_id is not None and self.subject_member_id == user.pk


class ConcernNote(models.Model):
    """An internal note by a program admin; a status change always comes with one."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(
        _("note"),
        max_length=NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
    )
    status_from = models.CharField(
        max_length=12, choices=Concern.Status.choices, blank=True
    )
    status_to = models.CharField(
        max_length=12, choices=Concern.Status.choices, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"note on {self.concern_id}"

    @property
    def changed_status(self) -> bool:
        return bool(self.status_to) and self.status_to != self.status_from
