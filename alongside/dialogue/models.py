"""Dialogue: discussion spaces (organization-wide or in a circle), threads and posts.

Who may see and post in a space is decided in one place, `Space.is_visible_to` /
`Space.can_post` (and `SpaceQuerySet.visible_to` for lists): an organization-wide space
follows organization membership, a circle space follows its circle's rules. Who wrote a
post is shown only through `Post.display_author_for(viewer)`, the single door a
pseudonymous mode will change.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
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

    def moderated_by(self, membership: Membership) -> SpaceQuerySet:
        """The list form of `Space.can_moderate`: organization-wide spaces for program
        admins and facilitators, circle spaces for the circle's own facilitators."""
        from alongside.circles.models import CircleMembership

        circles = (
            CircleMembership.objects.facilitators()
            .filter(user_id=membership.user_id)
            .values("circle_id")
        )
        whole = Q(circle__isnull=True) if membership.is_facilitator else Q(pk__in=[])
        return self.filter(organization_id=membership.organization_id).filter(
            whole | Q(circle__in=circles)
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
    # A safe space: members post under a stable per-space pseudonym (see safespace.py).
    # Chosen when the space is opened and never changed afterwards, so no post written
    # under a real name is ever shown under a pseudonym, or the other way round.
    is_safe = models.BooleanField(
        _("safe space"),
        default=False,
        help_text=_(
            "Members post under a pseudonym of their own in this space. Nobody, "
            "administrators included, can see who wrote what. This can't be "
            "changed once the space is open."
        ),
    )
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

    def can_moderate(self, membership: Membership) -> bool:
        """Who works the moderation queue for this space: program admins and
        facilitators for an organization-wide space; a circle's own facilitators for
        its spaces (an organization role gives no power inside a circle)."""
        if membership.organization_id != self.organization_id:
            return False
        if self.circle is None:
            return membership.is_facilitator
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


class Pseudonym(models.Model):
    """The stable name one member posts under in one safe space.

    Nothing in the database links it to the member in the clear: `owner_digest` is a
    keyed hash of (space, member) that finds "my pseudonym here" but cannot be reversed
    without the key, and `owner_sealed` is the member's id encrypted with a key kept
    outside the database, opened only to notify the member or by the two-admin reveal
    (safespace.py). The id is a random UUIDv4, and no creation time is stored.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="pseudonyms"
    )
    handle = models.CharField(_("pseudonym"), max_length=60)
    # NULL once the member erased his account: the pseudonym stays, unlinkable (NULL,
    # not "", so the unique constraint lets many erased pseudonyms share a space).
    owner_digest = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    owner_sealed = models.TextField(blank=True, default="")
    # A moderator approved one of its posts: from then on its posts publish at once.
    # Until then every pseudonym's posts are held, whoever owns it (trust.py): the
    # only standing a pseudonym has is its own history in its space.
    reviewed = models.BooleanField(default=False)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("space", "handle"), name="one_pseudonym_handle_per_space"
            ),
            models.UniqueConstraint(
                fields=("space", "owner_digest"), name="one_pseudonym_per_member"
            ),
        )

    def __str__(self) -> str:
        return self.handle


class RevealRequest(models.Model):
    """Break-glass: a program admin asks to learn who is behind a pseudonym, for an
    abuse case. A second, different program admin must approve within 72 hours; only
    then is the owner shown (to those two), audited, and the member told."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second administrator")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pseudonym = models.ForeignKey(
        Pseudonym, on_delete=models.CASCADE, related_name="reveal_requests"
    )
    reason = models.TextField(_("why this is needed"), max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-requested_at",)

    def __str__(self) -> str:
        return f"reveal request {self.pk} ({self.status})"


class ListeningPhase(models.TextChoices):
    SHARING = "sharing", _("Sharing")
    REFLECTING = "reflecting", _("Reflecting")
    CLOSED = "closed", _("Closed")


class ThreadQuerySet(models.QuerySet["Thread"]):
    def latest_first(self) -> ThreadQuerySet:
        return self.order_by("-last_posted_at", "-id")

    def listed_for(
        self, viewer: User, pseudonym: Pseudonym | None = None
    ) -> ThreadQuerySet:
        """Leave out threads whose opening post waits for review (or was rejected
        there), except for the member who started them: by his account, or in a safe
        space by `pseudonym`, his pseudonym there."""
        held_opening = Post.objects.filter(
            thread_id=models.OuterRef("pk"),
            state=Post.State.HELD,
            created_at=models.OuterRef("created_at"),
        )
        his = Q(started_by_id=viewer.pk)
        if pseudonym is not None:
            his |= Q(models.Exists(held_opening.filter(pseudonym=pseudonym)))
        return self.filter(~models.Exists(held_opening) | his)


class Thread(models.Model):
    # The id in URLs: random, so a thread's address says nothing about when it was
    # started relative to anything else (sequential ids would, in a safe space).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
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
    # A moderator locked the thread: it can be read, not replied to.
    locked_at = models.DateTimeField(null=True, blank=True)
    # A listening round (listening circles only, see listening.py): the facilitator's
    # prompt, then stories, then reflections. Empty for an ordinary conversation.
    phase = models.CharField(
        max_length=10, choices=ListeningPhase.choices, blank=True, default=""
    )

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
            kwargs={"org": self.space.organization.slug, "thread_uid": self.uid},
        )


class PostQuerySet(models.QuerySet["Post"]):
    def in_order(self) -> PostQuerySet:
        return self.order_by("created_at", "id")

    def rerender(self, batch: int = 500) -> int:
        """Render these posts' bodies again into `body_rendered` (after a change to the
        Markdown renderer or its sanitizer), `batch` at a time; how many changed."""
        changed, last = 0, 0
        while True:
            posts = list(self.filter(pk__gt=last).order_by("pk")[:batch])
            if not posts:
                return changed
            stale = []
            for post in posts:
                html = render_markdown(post.body) if post.body else ""
                if html != post.body_rendered:
                    post.body_rendered = html
                    stale.append(post)
            self.model.objects.bulk_update(stale, ["body_rendered"])
            changed += len(stale)
            last = posts[-1].pk

    def live(self) -> PostQuerySet:
        """Posts everyone who sees the space may read: not deleted, and published
        (neither held for review nor hidden by a moderator)."""
        return self.filter(deleted_at__isnull=True, state=Post.State.PUBLISHED)

    def visible_in_thread_to(
        self,
        viewer: User,
        *,
        moderator: bool = False,
        pseudonym: Pseudonym | None = None,
    ) -> PostQuerySet:
        """The posts a thread page lists for `viewer`: published and hidden ones (a
        hidden post shows as a placeholder to others), and held ones only to their
        author (`pseudonym`: the viewer's own in a safe space) and to moderators."""
        mine = Q(author_id=viewer.pk)
        if pseudonym is not None:
            mine |= Q(pseudonym=pseudonym)
        if moderator:
            return self
        return self.filter(~Q(state=Post.State.HELD) | mine)

    def held_for(self, membership: Membership) -> PostQuerySet:
        """The moderation queue's held posts: waiting for review in the spaces
        `membership` moderates, the longest-waiting first."""
        return self.filter(
            thread__space__in=Space.objects.moderated_by(membership).values("pk"),
            state=Post.State.HELD,
            deleted_at__isnull=True,
        ).order_by("created_at", "id")

    def flagged_for(self, membership: Membership) -> PostQuerySet:
        """The moderation queue's flagged posts: with open flags, in the spaces
        `membership` moderates, annotated with `first_flag` (when the first open flag
        came) and `open_flags` (how many), the longest-flagged first."""
        is_open = Q(flags__outcome=Flag.Outcome.OPEN)
        return (
            self.filter(
                thread__space__in=Space.objects.moderated_by(membership).values("pk"),
                deleted_at__isnull=True,
            )
            .annotate(
                first_flag=Min("flags__created_at", filter=is_open),
                open_flags=Count("flags", filter=is_open),
            )
            .filter(open_flags__gt=0)
            .order_by("first_flag", "id")
        )


class Post(models.Model):
    class State(models.TextChoices):
        PUBLISHED = "published", _("Published")
        # Waiting for a moderator: a new member's first posts, or the language screen.
        HELD = "held", _("Held for review")
        # Taken down by a moderator or by enough trusted flags; the author may appeal.
        HIDDEN = "hidden", _("Hidden")

    class HeldBecause(models.TextChoices):
        NEW_MEMBER = "new_member", _("A new member's first posts are reviewed")
        SCREEN = "screen", _("It may contain abusive language")
        # Safe spaces: one reason whatever the cause, so a hold tells nothing about
        # the pseudonym's owner (moderation.gate_post).
        REVIEW = "review", _("Held for review")

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        # In a listening round: the facilitator's words, a storyteller's story, a
        # listener's reflection.
        PROMPT = "prompt", _("Prompt")
        STORY = "story", _("Story")
        REFLECTION = "reflection", _("Reflection")

    # The id in URLs (see Thread.uid).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.POST)
    # Read it through display_author_for(viewer), never directly in templates. Empty
    # in a safe space, where the post belongs to a pseudonym instead.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pseudonym = models.ForeignKey(
        Pseudonym,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PUBLISHED
    )
    held_because = models.CharField(
        max_length=12, choices=HeldBecause.choices, blank=True, default=""
    )
    # When a moderator (or the flag threshold) last changed the state.
    moderated_at = models.DateTimeField(null=True, blank=True)
    # Deleted by a moderator rather than by its author (deleted_at is set either way).
    removed_by_moderator = models.BooleanField(default=False)
    body = models.TextField(
        _("message"),
        max_length=10000,
        validators=[MaxLengthValidator(10000)],
        help_text=_(
            "Markdown is allowed. Mention someone with @ and their name, "
            "like @alice-ally."
        ),
    )
    # `body` rendered from Markdown and sanitized, written by save() whenever the body
    # is (as Discourse keeps its "cooked" post): a thread page shows it as it is
    # instead of rendering every post at every view. `manage.py dialogue_rerender`
    # rewrites it after a change to the renderer or its sanitizer.
    body_rendered = models.TextField(blank=True, default="", editable=False)
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.body_rendered = render_markdown(self.body) if self.body else ""
            if update_fields is not None:
                kwargs["update_fields"] = {"body_rendered", *update_fields}
        super().save(*args, **kwargs)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def body_html(self) -> SafeString:
        if self.body and not self.body_rendered:
            # A row written around save() (a bulk insert): render it now.
            return render_markdown(self.body)
        return mark_safe(self.body_rendered)  # noqa: S308 - sanitized when saved

    def is_written_by(self, user: User | None) -> bool:
        """Whether `user` wrote the post: under his name, or under his pseudonym (found
        by its keyed digest, see safespace.py)."""
        if self.pseudonym_id is not None:
            from alongside.dialogue import safespace

            assert self.pseudonym is not None
            return safespace.is_owner(self.pseudonym, user)
        return (
            user is not None
            and self.author_id is not None
            and (self.author_id == user.pk)
        )

    def display_author_for(self, viewer: User | None) -> str:
        """The name `viewer` sees on this post: the pseudonym's handle in a safe space,
        for everyone (its owner, moderators and administrators included)."""
        if self.pseudonym_id is not None:
            assert self.pseudonym is not None
            return self.pseudonym.handle
        if self.author is None or not self.author.is_active:
            return gettext("A former member")
        return self.author.name

    @property
    def is_pseudonymous(self) -> bool:
        return self.pseudonym_id is not None


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
    # Exactly one of user and pseudonym: in a safe space members react as their
    # pseudonym, so a reaction never shows that a member took part there.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    pseudonym = models.ForeignKey(
        Pseudonym,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("post", "user", "kind"), name="one_reaction_per_kind"
            ),
            models.UniqueConstraint(
                fields=("post", "pseudonym", "kind"),
                name="one_pseudonymous_reaction_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=True) ^ Q(pseudonym__isnull=True),
                name="reaction_by_user_or_pseudonym",
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} on {self.post_id}"


class Subscription(models.Model):
    """A member follows a thread: told in the app and by email of each new post."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="subscriptions"
    )
    # Exactly one of user and pseudonym: in a safe space the pseudonym follows the
    # thread, and its owner is found through the sealed link only to notify him.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    pseudonym = models.ForeignKey(
        Pseudonym,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("thread", "user"), name="one_thread_subscription"
            ),
            models.UniqueConstraint(
                fields=("thread", "pseudonym"),
                name="one_pseudonymous_thread_subscription",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=True) ^ Q(pseudonym__isnull=True),
                name="subscription_by_user_or_pseudonym",
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


# Moderation -----------------------------------------------------------------------------


class ModerationSettings(models.Model):
    """An organization's moderation choices; defaults apply until an admin saves."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    screen_enabled = models.BooleanField(
        _("hold posts with abusive language for review"), default=True
    )
    # One word or phrase per line, added to the built-in list (see language_screen.py).
    screen_extra_terms = models.TextField(
        _("more words and phrases to hold"),
        blank=True,
        max_length=5000,
        validators=[MaxLengthValidator(5000)],
        help_text=_("One per line. Matching ignores case and whole words only."),
    )
    screen_allowed_terms = models.TextField(
        _("built-in words to let through"),
        blank=True,
        max_length=2000,
        validators=[MaxLengthValidator(2000)],
        help_text=_("One per line, for words your community uses harmlessly."),
    )
    # Flags are weighted by the reporter's trust level; a post is hidden at once when
    # the weighted score reaches the threshold AND enough different members flagged.
    auto_hide_score = models.PositiveSmallIntegerField(
        _("flag score that hides a post"), default=6
    )
    auto_hide_reporters = models.PositiveSmallIntegerField(
        _("different members who must flag it"), default=3
    )

    def __str__(self) -> str:
        return f"moderation settings of {self.organization_id}"


class MemberTrust(models.Model):
    """A member's trust level in the organization's conversations, as in Discourse:
    0 new (first posts held, tight rate limits, no flags), 1 basic, 2 member,
    3 regular, 4 leader (moderators). Raised automatically with approved posts and
    time; a moderator may set it, which stops the automatic changes."""

    class Level(models.IntegerChoices):
        NEW = 0, _("New")
        BASIC = 1, _("Basic")
        MEMBER = 2, _("Member")
        REGULAR = 3, _("Regular")
        LEADER = 4, _("Leader")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.NEW)
    set_by_moderator = models.BooleanField(default=False)
    approved_posts = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "user"), name="one_trust_level_per_member"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user_id} at trust level {self.level}"


class FlagQuerySet(models.QuerySet["Flag"]):
    def open_reasons(self, posts: list[Post]) -> dict[int, list[tuple[str, int]]]:
        """For each of `posts` with open flags: (reason's label, how many), the most
        given first; never who gave them."""
        labels = dict(Flag.Reason.choices)
        reasons: dict[int, list[tuple[str, int]]] = {}
        for row in (
            self.filter(post_id__in=[p.pk for p in posts], outcome=Flag.Outcome.OPEN)
            .values("post_id", "reason")
            .annotate(n=Count("id"))
            .order_by("post_id", "-n", "reason")
        ):
            reasons.setdefault(row["post_id"], []).append(
                (str(labels.get(row["reason"], row["reason"])), row["n"])
            )
        return reasons


class Flag(models.Model):
    """A member reports a post to the moderators. The reporter is never shown to the
    post's author, nor to moderators (they see how many flagged, and why)."""

    class Reason(models.TextChoices):
        ABUSIVE = "abusive", _("Abusive or harassing")
        IDENTIFYING = "identifying", _("Reveals who someone is")
        OFF_TOPIC = "off_topic", _("Off topic or against the guidelines")
        SPAM = "spam", _("Spam or advertising")
        OTHER = "other", _("Something else")

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        AGREED = "agreed", _("Moderator agreed")
        DISAGREED = "disagreed", _("Moderator disagreed")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    detail = models.CharField(
        _("anything moderators should know"), max_length=500, blank=True
    )
    # The reporter's trust level when flagging, turned into the flag's weight.
    weight = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("post", "reporter"), name="one_flag_per_member_and_post"
            ),
        )
        indexes = (
            models.Index(fields=("outcome", "created_at"), name="dialogue_open_flags"),
        )

    def __str__(self) -> str:
        return f"flag on post {self.post_id} ({self.reason})"


class Sanction(models.Model):
    """A warning, a suspension (until a date) or a ban (no end) against a member, or
    against a pseudonym in its safe space, where the moderator never learns who it is."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        SUSPENSION = "suspension", _("Suspension")
        BAN = "ban", _("Ban")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    # Empty: all of the organization's conversations. Always set for a pseudonym.
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Exactly one of user and pseudonym.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    pseudonym = models.ForeignKey(
        Pseudonym, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The post that led to it, if any.
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(_("reason, as the member will read it"), max_length=2000)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = (
            models.CheckConstraint(
                condition=Q(user__isnull=True) ^ Q(pseudonym__isnull=True),
                name="sanction_on_user_or_pseudonym",
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class AppealQuerySet(models.QuerySet["Appeal"]):
    def open_for(self, membership: Membership) -> AppealQuerySet:
        """The moderation queue's open appeals: about a post or a sanction in the
        spaces `membership` moderates, and (for facilitators and program admins) about
        organization-wide sanctions; the longest-waiting first."""
        spaces = Space.objects.moderated_by(membership).values("pk")
        scope = Q(post__thread__space__in=spaces) | Q(sanction__space__in=spaces)
        if membership.is_facilitator:
            scope |= Q(sanction__isnull=False, sanction__space__isnull=True)
        return self.filter(
            scope,
            organization_id=membership.organization_id,
            outcome=Appeal.Outcome.OPEN,
        ).order_by("created_at", "id")


class Appeal(models.Model):
    """The author of a hidden post, or the member under a sanction, asks for another
    look. Exactly one of post and sanction. Who appealed is implied by what is
    appealed, and is never stored or shown separately."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Waiting for a moderator")
        UPHELD = "upheld", _("The decision stands")
        OVERTURNED = "overturned", _("The decision was reversed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="appeals"
    )
    sanction = models.ForeignKey(
        Sanction,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="appeals",
    )
    statement = models.TextField(_("why it should be looked at again"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.OPEN
    )
    response = models.TextField(_("answer to the member"), blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ("created_at",)
        constraints = (
            models.CheckConstraint(
                condition=Q(post__isnull=True) ^ Q(sanction__isnull=True),
                name="appeal_of_post_or_sanction",
            ),
            models.UniqueConstraint(
                fields=("post",),
                condition=Q(outcome="open"),
                name="one_open_appeal_per_post",
            ),
            models.UniqueConstraint(
                fields=("sanction",),
                condition=Q(outcome="open"),
                name="one_open_appeal_per_sanction",
            ),
        )

    def __str__(self) -> str:
        return f"appeal {self.pk} ({self.outcome})"
