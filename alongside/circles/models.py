"""Circles: small groups of an organization's members around one purpose.

Other apps (dialogue) use circles through `Circle.objects.visible_to(...)` and the
`is_member`, `is_facilitator` and `can_post` methods; circles never import them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from alongside.lib.markdown import render_markdown

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

# Path segments under o/<org>/circles/ that are pages, so no circle may use them.
RESERVED_SLUGS = frozenset({"new", "invitations", "mine"})


class CircleQuerySet(models.QuerySet["Circle"]):
    def for_organization(self, organization: Organization) -> CircleQuerySet:
        return self.filter(organization=organization)

    def active(self) -> CircleQuerySet:
        return self.filter(is_archived=False)

    def of_member(self, user: User) -> CircleQuerySet:
        return self.filter(
            pk__in=CircleMembership.objects.filter(user=user).values("circle_id")
        )

    def visible_to(self, member: User, organization: Organization) -> CircleQuerySet:
        """Circles of `organization` that `member` may see: the listed ones and his own.

        The caller has already established that `member` belongs to `organization`.
        """
        mine = CircleMembership.objects.filter(user=member).values("circle_id")
        return self.filter(organization=organization).filter(
            Q(listing=Circle.Listing.LISTED) | Q(pk__in=mine)
        )


class Circle(models.Model):
    class Kind(models.TextChoices):
        ADVOCACY = "advocacy", _("Advocacy")
        PROJECT = "project", _("Project")
        SUPPORT = "support", _("Support")
        LISTENING = "listening", _("Listening")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: any member can join")
        REQUEST = "request", _("By request: a facilitator approves each request")
        INVITATION = "invitation", _("By invitation only")

    class Listing(models.TextChoices):
        LISTED = "listed", _("Listed: every member of the organization can find it")
        UNLISTED = "unlisted", _("Unlisted: only its members know it exists")

    # Kinds whose member list only the circle's own members may read.
    PRIVATE_MEMBER_LISTS = frozenset({Kind.SUPPORT, Kind.LISTENING})

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="circles"
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name in links"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.TextField(
        _("description"),
        max_length=5000,
        blank=True,
        validators=[MaxLengthValidator(5000)],
        help_text=_("What the circle is for and how it works. Markdown is allowed."),
    )
    join_policy = models.CharField(
        _("who can join"),
        max_length=12,
        choices=JoinPolicy.choices,
        default=JoinPolicy.REQUEST,
    )
    listing = models.CharField(
        _("who can find it"),
        max_length=10,
        choices=Listing.choices,
        default=Listing.LISTED,
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CircleQuerySet.as_manager()

    class Meta:
        ordering = ("name", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "slug"), name="unique_circle_slug"
            ),
        )

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "circles:detail",
            kwargs={"org": self.organization.slug, "circle": self.slug},
        )

    def description_html(self) -> SafeString:
        return render_markdown(self.description)

    @property
    def is_listed(self) -> bool:
        return self.listing == self.Listing.LISTED

    @property
    def is_project(self) -> bool:
        return self.kind == self.Kind.PROJECT

    # What a user may do here: the doors other apps (dialogue) call too.

    def membership_of(self, user: User | None) -> CircleMembership | None:
        if user is None or not user.is_authenticated:
            return None
        membership: CircleMembership | None = self.memberships.filter(user=user).first()
        return membership

    def is_member(self, user: User | None) -> bool:
        return self.membership_of(user) is not None

    def is_facilitator(self, user: User | None) -> bool:
        membership = self.membership_of(user)
        return membership is not None and membership.is_facilitator

    def can_post(self, user: User | None) -> bool:
        """Members may add content (updates, goals, posts) while the circle is active."""
        return not self.is_archived and self.is_member(user)

    def is_visible_to(self, user: User | None) -> bool:
        """Whether a member of the organization may open the circle's page at all."""
        return self.is_listed or self.is_member(user)

    def member_list_visible_to(self, user: User | None) -> bool:
        """Support and listening circles show who is in them only to their members."""
        if self.kind in self.PRIVATE_MEMBER_LISTS:
            return self.is_member(user)
        return self.is_visible_to(user)

    def facilitators(self) -> models.QuerySet[CircleMembership]:
        return self.memberships.filter(
            role=CircleMembership.Role.FACILITATOR, user__is_active=True
        ).select_related("user")

    def progress(self) -> Progress:
        counts = self.goals.aggregate(
            total=models.Count("id"),
            done=models.Count("id", filter=Q(status=Goal.Status.DONE)),
        )
        return Progress(done=counts["done"], total=counts["total"])


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class CircleMembershipQuerySet(models.QuerySet["CircleMembership"]):
    def facilitators(self) -> CircleMembershipQuerySet:
        return self.filter(role=CircleMembership.Role.FACILITATOR)


class CircleMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        FACILITATOR = "facilitator", _("Facilitator")

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="circle_memberships",
    )
    role = models.CharField(
        _("role"), max_length=12, choices=Role.choices, default=Role.MEMBER
    )
    joined_at = models.DateTimeField(default=timezone.now)

    objects = CircleMembershipQuerySet.as_manager()

    class Meta:
        ordering = ("joined_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("circle", "user"), name="one_circle_membership_per_user"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} in {self.circle} ({self.get_role_display()})"

    @property
    def is_facilitator(self) -> bool:
        return self.role == self.Role.FACILITATOR


class JoinRequestQuerySet(models.QuerySet["JoinRequest"]):
    def pending(self) -> JoinRequestQuerySet:
        return self.filter(status=JoinRequest.Status.PENDING)


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a facilitator")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="circle_join_requests",
    )
    message = models.TextField(
        _("a word to the facilitators (optional)"),
        max_length=1000,
        blank=True,
        validators=[MaxLengthValidator(1000)],
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("circle", "user"),
                condition=Q(status="pending"),
                name="one_pending_join_request",
            ),
        )

    def __str__(self) -> str:
        return f"request of {self.user_id} to join {self.circle_id}"


class CircleInvitationQuerySet(models.QuerySet["CircleInvitation"]):
    def pending(self) -> CircleInvitationQuerySet:
        return self.filter(status=CircleInvitation.Status.PENDING)


class CircleInvitation(models.Model):
    """A facilitator's invitation to a member of the same organization."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="invitations"
    )
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="circle_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = CircleInvitationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("circle", "invitee"),
                condition=Q(status="pending"),
                name="one_pending_circle_invitation",
            ),
        )

    def __str__(self) -> str:
        return f"invitation of {self.invitee_id} to {self.circle_id}"


class Goal(models.Model):
    """A goal of a project circle."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(
        _("description"),
        max_length=1000,
        blank=True,
        validators=[MaxLengthValidator(1000)],
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-status", models.F("target_date").asc(nulls_last=True), "id")

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_overdue(self) -> bool:
        return (
            not self.is_done
            and self.target_date is not None
            and self.target_date < timezone.localdate()
        )


class ProgressUpdate(models.Model):
    """A dated note on a project circle's timeline. An erased author leaves it anonymous."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(
        _("update"),
        max_length=5000,
        validators=[MaxLengthValidator(5000)],
        help_text=_(
            "What moved forward, what is stuck, what comes next. Markdown is allowed."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"update {self.pk} of circle {self.circle_id}"

    def body_html(self) -> SafeString:
        return render_markdown(self.body)
