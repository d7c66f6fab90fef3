from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from alongside.accounts.models import User


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    MENTOR = "mentor", _("Mentor")
    FACILITATOR = "facilitator", _("Facilitator")
    PROGRAM_ADMIN = "program_admin", _("Program admin")


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def for_user(self, user: User) -> OrganizationQuerySet:
        return self.filter(memberships__user=user)


class Organization(models.Model):
    """A tenant: a company, university, NGO or chapter running an allyship program."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name in links"), max_length=60, unique=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    join_domains = models.CharField(
        _("open join by email domain"),
        max_length=300,
        blank=True,
        help_text=_(
            "Comma-separated domains, e.g. example.org. People with a verified address there may join."
        ),
    )
    require_admin_mfa = models.BooleanField(
        _("program admins must use two-factor authentication"), default=True
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group shown in breakdowns"),
        default=5,
        validators=[MinValueValidator(3)],
    )
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def join_domain_list(self) -> list[str]:
        return [
            d.strip().lower().lstrip("@")
            for d in self.join_domains.split(",")
            if d.strip()
        ]

    def allows_join_by_email(self, email: str) -> bool:
        domain = email.rsplit("@", 1)[-1].lower()
        return domain in self.join_domain_list()


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_organization(self, organization: Organization) -> MembershipQuerySet:
        return self.filter(organization=organization)

    def admins(self) -> MembershipQuerySet:
        return self.filter(role=Role.PROGRAM_ADMIN)

    def active(self) -> MembershipQuerySet:
        return self.filter(user__is_active=True)


class Membership(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.MEMBER
    )
    joined_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ("organization", "joined_at")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "user"), name="one_membership_per_user"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_role_display()})"

    @property
    def is_program_admin(self) -> bool:
        return self.role == Role.PROGRAM_ADMIN

    @property
    def is_facilitator(self) -> bool:
        return self.role in {Role.FACILITATOR, Role.PROGRAM_ADMIN}

    @property
    def is_mentor(self) -> bool:
        return self.role in {Role.MENTOR, Role.PROGRAM_ADMIN}
