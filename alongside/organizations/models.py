from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from alongside.lib.markdown import render_markdown
from alongside.lib.tokens import new_token, token_digest

if TYPE_CHECKING:
    from alongside.accounts.models import User


MIN_GROUP_SIZE = 3  # k is never below this, whatever an admin sets


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    MENTOR = "mentor", _("Mentor")
    FACILITATOR = "facilitator", _("Facilitator")
    PROGRAM_ADMIN = "program_admin", _("Program admin")


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def for_user(self, user: User) -> OrganizationQuerySet:
        return self.filter(memberships__user=user)

    def joinable_by(self, user: User) -> list[Organization]:
        """Organizations the user is not in whose join domains match a verified address."""
        from allauth.account.models import EmailAddress

        emails = EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
        candidates = self.exclude(memberships__user=user).exclude(join_domains="")
        return [
            organization
            for organization in candidates
            if any(organization.allows_join_by_email(email) for email in emails)
        ]


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
        validators=[MinValueValidator(MIN_GROUP_SIZE), MaxValueValidator(1000)],
        help_text=_(
            "Figures broken down by a personal trait are hidden for groups smaller than this. At least 3."
        ),
    )
    # A lower k waits (MIN_GROUP_SIZE_LOWERING_DAYS) before it applies, announced to
    # every program admin, so one admin cannot lower it, read and raise it back.
    min_group_size_pending = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(MIN_GROUP_SIZE)],
    )
    min_group_size_pending_at = models.DateTimeField(
        null=True, blank=True, editable=False
    )
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def description_html(self) -> SafeString:
        return render_markdown(self.description)

    def effective_min_group_size(self, now: datetime | None = None) -> int:
        """k as it applies now: the one accessor every breakdown must use.

        `min_group_size` until a pending lowering's time has come, then the lower
        value (docs/privacy.md). Never below MIN_GROUP_SIZE.
        """
        k = self.min_group_size
        pending_at = self.min_group_size_pending_at
        if (
            self.min_group_size_pending is not None
            and pending_at is not None
            and pending_at <= (now or timezone.now())
        ):
            k = self.min_group_size_pending
        return max(k, MIN_GROUP_SIZE)

    def pending_min_group_size(
        self, now: datetime | None = None
    ) -> tuple[int, datetime] | None:
        """(the lower k, when it applies) while a lowering waits; None otherwise."""
        pending, pending_at = (
            self.min_group_size_pending,
            self.min_group_size_pending_at,
        )
        if (
            pending is None
            or pending_at is None
            or pending_at <= (now or timezone.now())
        ):
            return None
        return pending, pending_at

    def has_member(self, user: Any) -> bool:
        """Whether `user` (a user, an anonymous user, or a user id) is a member."""
        if not isinstance(user, int) and not getattr(user, "is_authenticated", False):
            return False
        return Membership.objects.of(user, self).exists()

    def join_domain_list(self) -> list[str]:
        return [
            d.strip().lower().lstrip("@")
            for d in self.join_domains.split(",")
            if d.strip()
        ]

    def allows_join_by_email(self, email: str) -> bool:
        if "@" not in email:
            return False
        domain = email.rsplit("@", 1)[-1].lower()
        return domain in self.join_domain_list()


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_organization(self, organization: Organization | int) -> MembershipQuerySet:
        """Memberships of one organization (the model or its id)."""
        if isinstance(organization, int):
            return self.filter(organization_id=organization)
        return self.filter(organization=organization)

    def of(self, user: Any, organization: Organization | int) -> MembershipQuerySet:
        """The membership of `user` (a user or his id) in `organization`: empty when
        he is not a member. The one door to "is he a member, and as what?"."""
        user_id = user if isinstance(user, int) else user.pk
        return self.for_organization(organization).filter(user_id=user_id)

    def of_user(self, user: Any) -> MembershipQuerySet:
        """Every membership of `user` (a user or his id)."""
        return self.filter(user_id=user if isinstance(user, int) else user.pk)

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
    # Who gave the member the role he has now, and when: shown to every program admin
    # (members page), and the break-glass reveal's rules read them (an approver must
    # have held the admin role long enough, and not from the requester). Null
    # `role_granted_by` means not recorded (memberships from before these fields) or an
    # account since erased.
    role_granted_at = models.DateTimeField(_("role since"), default=timezone.now)
    role_granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("role granted by"),
    )

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


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def for_organization(self, organization: Organization) -> InvitationQuerySet:
        return self.filter(organization=organization)

    def open(self) -> InvitationQuerySet:
        """Neither accepted nor revoked (possibly expired)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self) -> InvitationQuerySet:
        """Open and not yet expired: the link still works."""
        return self.open().filter(expires_at__gt=timezone.now())

    def by_token(self, token: str) -> InvitationQuerySet:
        return self.filter(token_digest=token_digest(token))


class Invitation(models.Model):
    """An emailed, single-use invitation to join an organization with a given role.

    Only the SHA-256 digest of the link's token is stored, so a database leak reveals no
    working link.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=80, blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ("-sent_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
        )

    def __str__(self) -> str:
        return f"Invitation to {self.organization} ({self.get_role_display()})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None and self.revoked_at is None and not self.is_expired
        )

    def issue_token(self) -> str:
        """Give the invitation a fresh link and expiry; return the token for the email."""
        token, digest = new_token()
        now = timezone.now()
        self.token_digest = digest
        self.sent_at = now
        self.expires_at = now + timedelta(days=settings.INVITATION_DAYS)
        return token
