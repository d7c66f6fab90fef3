from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from alongside.lib.markdown import render_markdown

if TYPE_CHECKING:
    from alongside.organizations.models import Organization


class Gender(models.TextChoices):
    """How a signer chooses to sign: optional, self-described, never shown publicly."""

    MAN = "man", _("I sign as a man")
    WOMAN = "woman", _("I sign as a woman")
    ANOTHER = "another", _("I sign as another gender")
    UNDISCLOSED = "undisclosed", _("I prefer not to say")


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def for_organization(self, organization: Organization) -> CampaignQuerySet:
        return self.filter(organization=organization)

    def public(self) -> CampaignQuerySet:
        """Campaigns anyone may see: published ones, and closed ones (read only)."""
        return self.filter(
            status__in=(Campaign.Status.PUBLISHED, Campaign.Status.CLOSED)
        )

    def live(self) -> CampaignQuerySet:
        return self.filter(status=Campaign.Status.PUBLISHED)


class Campaign(models.Model):
    """A public pledge drive of an organization: anyone may sign, only confirmed count."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="campaigns"
    )
    slug = models.SlugField(
        _("short name in the public link"),
        max_length=60,
        unique=True,
        help_text=_(
            "The campaign's public address is /c/<short name>/. Letters, digits and hyphens."
        ),
    )
    title = models.CharField(_("title"), max_length=140)
    statement = models.TextField(
        _("the statement people sign"),
        max_length=4000,
        validators=[MaxLengthValidator(4000)],
        help_text=_("Markdown: **bold**, *italic*, lists and links."),
    )
    image = models.ImageField(_("image"), upload_to="campaigns/", blank=True)
    image_alt = models.CharField(
        _("image description"),
        max_length=200,
        blank=True,
        help_text=_("What the image shows, for people who can't see it."),
    )
    goal = models.PositiveIntegerField(
        _("goal (confirmed signatures)"),
        validators=[MinValueValidator(1), MaxValueValidator(100_000_000)],
    )
    starts_at = models.DateTimeField(_("signing opens"))
    ends_at = models.DateTimeField(_("signing closes"), null=True, blank=True)
    ask_name = models.BooleanField(_("ask for the first name"), default=True)
    ask_country = models.BooleanField(_("ask for the country"), default=True)
    ask_gender = models.BooleanField(
        _('offer "I sign as a man / woman / another gender / prefer not to say"'),
        default=True,
        help_text=_(
            "Always optional for the signer. Lets the campaign count men's commitments."
        ),
    )
    consent_text = models.CharField(
        _("consent text"),
        max_length=500,
        help_text=_("What the signer agrees to, shown next to the required checkbox."),
    )
    privacy_notice = models.TextField(
        _("privacy notice"),
        max_length=6000,
        validators=[MaxLengthValidator(6000)],
        help_text=_(
            "Who keeps the signatures, for what, for how long, and how to withdraw. Markdown."
        ),
    )
    frame_ancestors = models.TextField(
        _("sites that may embed the widget"),
        max_length=2000,
        blank=True,
        help_text=_(
            "One origin per line, e.g. https://partner.example.org. Leave empty to allow none."
        ),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The live counter: changed with F() in the same transaction as each confirmation
    # or withdrawal, reconciled by `manage.py reconcile_campaign_counters`.
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="campaign_ends_after_start",
            ),
        )

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:public", kwargs={"campaign": self.slug})

    def get_admin_url(self) -> str:
        return reverse(
            "campaigns:dashboard", kwargs={"org": self.organization.slug, "pk": self.pk}
        )

    def statement_html(self) -> SafeString:
        return render_markdown(self.statement)

    def privacy_notice_html(self) -> SafeString:
        return render_markdown(self.privacy_notice)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def signing_state(self, now: datetime | None = None) -> str:
        """ "open", "not_started", "ended" or "closed" ("draft" for drafts)."""
        now = now or timezone.now()
        if self.is_draft:
            return "draft"
        if self.is_closed:
            return "closed"
        if now < self.starts_at:
            return "not_started"
        if self.ends_at is not None and now >= self.ends_at:
            return "ended"
        return "open"

    def is_open(self, now: datetime | None = None) -> bool:
        return self.signing_state(now) == "open"

    def progress_percent(self) -> int:
        return min(100, (100 * self.confirmed_count) // self.goal) if self.goal else 0

    def frame_ancestor_list(self) -> list[str]:
        return [
            line.strip() for line in self.frame_ancestors.splitlines() if line.strip()
        ]


class SignatureQuerySet(models.QuerySet["Signature"]):
    def for_campaign(self, campaign: Campaign) -> SignatureQuerySet:
        return self.filter(campaign=campaign)

    def confirmed(self) -> SignatureQuerySet:
        return self.filter(confirmed_at__isnull=False)

    def pending(self) -> SignatureQuerySet:
        return self.filter(confirmed_at__isnull=True)

    def on_wall(self) -> SignatureQuerySet:
        """Confirmed signers who chose to show their first name."""
        return self.confirmed().filter(show_name=True).exclude(first_name="")


class Signature(models.Model):
    """One person's signature on a campaign, by email address; counts once confirmed.

    Every signature writes each of its indexes, so it has only those its reads need
    (docs/performance.md): the campaign's is the unique (campaign, address) one, the
    links' digests have unique constraints (no LIKE index), and the confirmed and
    converted ones are partial, written only once a signature is confirmed or turned
    into a pledge.
    """

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="signatures",
        db_index=False,  # the unique (campaign, normalized_email) index starts with it
    )
    # NFKC, stripped, lower-cased (services.normalize_email). Also the address we write to.
    normalized_email = models.CharField(max_length=254)
    first_name = models.CharField(max_length=60, blank=True)
    show_name = models.BooleanField(default=False)
    country = models.CharField(max_length=2, blank=True)
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Only SHA-256 digests of the emailed links' tokens are stored (alongside.lib.tokens).
    confirm_token_digest = models.CharField(max_length=64)
    confirm_expires_at = models.DateTimeField()
    withdraw_token_digest = models.CharField(max_length=64)
    # When the last email for this signature was queued (re-sends are rate-limited).
    email_sent_at = models.DateTimeField(default=timezone.now)
    converted_pledge = models.ForeignKey(
        "pledges.Pledge",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the partial index signature_converted_pledge
    )
    converted_at = models.DateTimeField(null=True, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("campaign", "normalized_email"),
                name="one_signature_per_email",
            ),
            models.UniqueConstraint(
                fields=("confirm_token_digest",), name="signature_confirm_token"
            ),
            models.UniqueConstraint(
                fields=("withdraw_token_digest",), name="signature_withdraw_token"
            ),
        )
        indexes = (
            models.Index(
                fields=("campaign", "confirmed_at"),
                name="signature_confirmed_only",
                condition=Q(confirmed_at__isnull=False),
            ),
            models.Index(
                fields=("converted_pledge",),
                name="signature_converted_pledge",
                condition=Q(converted_pledge__isnull=False),
            ),
        )

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def public_name(self) -> str:
        """What the public wall shows: the first name if opted in, else nothing."""
        return self.first_name if self.show_name and self.is_confirmed else ""


class SignRateLimit(models.Model):
    """The recent signing submissions of one client address: `campaigns.ratelimit`.

    `hits` is a ring of the times (Unix seconds, 10 digits each) of its last `limit`
    allowed submissions, `next_slot` the slot the next one takes (the oldest). Rows
    whose last hit is older than the window are deleted (`ratelimit.purge_expired`).
    """

    # A keyed digest of the address, the limit and the window (no address is stored):
    # a UUID, so the key is 16 bytes with one index (a text key would get a second,
    # LIKE index on PostgreSQL).
    client = models.UUIDField(primary_key=True)
    hits = models.TextField()
    next_slot = models.PositiveIntegerField()
    # Unix seconds. No index: every submission would write it (ratelimit.purge_expired).
    expires_at = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.client)


class GenderSnapshot(models.Model):
    """A gender breakdown as it was published on the campaign dashboard (stats.py).

    The dashboard shows the latest snapshot, never the live counts: a new one is
    published only when, against every earlier snapshot, each group of categories that
    can be compared between the two has changed by at least k (`stats.publishable`),
    so no single signature (or withdrawal) can be read from a change. `sequence` is
    unique per campaign: two dashboards publishing at once cannot both succeed, so
    each snapshot was checked against all the ones before it.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="gender_snapshots"
    )
    sequence = models.PositiveIntegerField()
    man = models.PositiveIntegerField()
    woman = models.PositiveIntegerField()
    another = models.PositiveIntegerField()
    undisclosed = models.PositiveIntegerField()
    # The categories hidden when it was published, comma-separated.
    hidden = models.CharField(max_length=60, blank=True)
    k = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("campaign", "sequence")
        constraints = (
            models.UniqueConstraint(
                fields=("campaign", "sequence"), name="one_gender_snapshot_per_sequence"
            ),
        )

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.sequence}"

    def counts(self) -> dict[str, int]:
        return {
            "man": self.man,
            "woman": self.woman,
            "another": self.another,
            "undisclosed": self.undisclosed,
        }

    def hidden_set(self) -> frozenset[str]:
        return frozenset(key for key in self.hidden.split(",") if key)
