"""Dialogue: discussion spaces (organization-wide or in a circle), threads and posts.

Who may see and post in a space is decided in one place, `Space.is_visible_to` /
`Space.can_post` (and `SpaceQuerySet.visible_to` for lists): an organization-wide space
follows organization membership, a circle space follows its circle's rules. Who wrote a
post is shown only through `Post.display_author_for(viewer)`, the single door a
pseudonymous mode will change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alongside.circles.models import Circle
from alongside.lib.markdown import render_markdown

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Membership, Organization


class SpaceQuerySet(models.QuerySet["Space"]):
    def for_organization(self, organization: Organization) -> SpaceQuerySet:
        return self.filter(organization=organization)

    def visible_to(self, member: User, organization: Organization) -> SpaceQuerySet:
        """Spaces of `organization` that `member` (already known to belong to it) may
        see: the organization-wide ones, and those of the circles he may see."""
        circles = Circle.objects.visible_to(member, organization).values("pk")
        return self.filter(organization=organization).filter(
            Q(circle__isnull=True) | Q(circle__in=circles)
        )


class Space(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    # Empty for an organization-wide space.
    circle = models.ForeignKey(
        Circle,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("circle"),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("what it is for"), max_length=300, blank=True)
    guidelines = models.TextField(
        _("guidelines"),
        max_length=5000,
        validators=[MaxLengthValidator(5000)],
        help_text=_(
            "How people talk to each other here. Each member accepts them before "
            "posting for the first time. Markdown is allowed."
        ),
    )
    # Raised when the guidelines change materially: everyone accepts them again.
    guidelines_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SpaceQuerySet.as_manager()

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "dialogue:space",
            kwargs={"org": self.organization.slug, "space_id": self.pk},
        )

    def guidelines_html(self) -> SafeString:
        return render_markdown(self.guidelines)

    # The permission doors. `membership` is the viewer's membership of the organization.

    def is_visible_to(self, user: User) -> bool:
        return self.circle is None or self.circle.is_visible_to(user)

    def can_post(self, user: User) -> bool:
        return self.circle is None or self.circle.can_post(user)

    def can_manage(self, membership: Membership) -> bool:
        """Program admins run organization-wide spaces; a circle's facilitators its own."""
        if self.circle is None:
            return membership.is_program_admin
        return self.circle.is_facilitator(membership.user)

    def has_accepted_guidelines(self, user: User) -> bool:
        return GuidelinesAcceptance.objects.filter(
            space=self, user=user, version__gte=self.guidelines_version
        ).exists()


class GuidelinesAcceptance(models.Model):
    """The last version of a space's guidelines a member accepted."""

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="acceptances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField()
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("space", "user"), name="one_guidelines_acceptance"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user_id} accepted v{self.version} of space {self.space_id}"


class ThreadQuerySet(models.QuerySet["Thread"]):
    def latest_first(self) -> ThreadQuerySet:
        return self.order_by("-last_posted_at", "-id")


class Thread(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(_("title"), max_length=140)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_posted_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(default=0)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ("-last_posted_at", "-id")
        indexes = (
            models.Index(
                "space",
                models.F("last_posted_at").desc(),
                models.F("id").desc(),
                name="dialogue_thread_list",
            ),
        )

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "dialogue:thread",
            kwargs={"org": self.space.organization.slug, "thread_id": self.pk},
        )


class PostQuerySet(models.QuerySet["Post"]):
    def in_order(self) -> PostQuerySet:
        return self.order_by("created_at", "id")

    def live(self) -> PostQuerySet:
        return self.filter(deleted_at__isnull=True)


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # Read it through display_author_for(viewer), never directly in templates.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(
        _("message"),
        max_length=10000,
        validators=[MaxLengthValidator(10000)],
        help_text=_(
            "Markdown is allowed. Mention someone with @ and their name, "
            "like @alice-ally."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        indexes = (
            models.Index(fields=("thread", "created_at", "id"), name="dialogue_posts"),
        )

    def __str__(self) -> str:
        return f"post {self.pk} in thread {self.thread_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def body_html(self) -> SafeString:
        return render_markdown(self.body)

    def is_written_by(self, user: User | None) -> bool:
        return (
            user is not None
            and self.author_id is not None
            and (self.author_id == user.pk)
        )

    def display_author_for(self, viewer: User | None) -> str:
        """The name `viewer` sees on this post: the one place to add pseudonyms."""
        if self.author is None or not self.author.is_active:
            return gettext("A former member")
        return self.author.name


class Reaction(models.Model):
    class Kind(models.TextChoices):
        THUMBS_UP = "thumbs_up", _("Agree")
        HEART = "heart", _("Support")
        BULB = "bulb", _("Insightful")
        THANKS = "thanks", _("Thank you")

    EMOJI: ClassVar[dict[str, str]] = {
        Kind.THUMBS_UP: "👍",
        Kind.HEART: "❤️",
        Kind.BULB: "💡",
        Kind.THANKS: "🙏",
    }

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("post", "user", "kind"), name="one_reaction_per_kind"
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} on {self.post_id}"


class Subscription(models.Model):
    """A member follows a thread: told in the app and by email of each new post."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("thread", "user"), name="one_thread_subscription"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user_id} follows thread {self.thread_id}"


class DigestSubscription(models.Model):
    """A member wants one daily email of a space's new posts instead of one per post."""

    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="digest_subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Posts up to this moment were in a digest already (or predate the choice).
    covered_until = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("space", "user"), name="one_digest_subscription"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user_id} gets a digest of space {self.space_id}"
