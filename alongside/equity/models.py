from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.equity import paygap
    from alongside.organizations.models import Organization

# Smallest and largest k an organization may choose. Below 3 a "group" of two people
# lets each of them work out the other's pay; above 50 almost everything is hidden.
MIN_K = 3
MAX_K = 50
DEFAULT_K = 5

# A lowered k takes effect only after this delay (setting EQUITY_K_LOWERING_DELAY_DAYS),
# announced to every program admin: one admin cannot lower k, read, and put it back.


def k_lowering_delay() -> timedelta:
    return timedelta(days=max(0, settings.EQUITY_K_LOWERING_DELAY_DAYS))


# Two reports whose snapshot dates are fewer than this many days apart describe the same
# period (setting EQUITY_SAME_PERIOD_DAYS): they are compared cell by cell before the
# second is published (differencing.py). Annual reports (5 April each year, 365 or 366
# days apart) are a series, not the same period; a snapshot moved by a day is not.


def same_period_days() -> int:
    return max(1, settings.EQUITY_SAME_PERIOD_DAYS)


# Uploads that never became a report are deleted after this long
# (management command `equity_clean_uploads`).
ABANDONED_AFTER = timedelta(hours=24)


def upload_root() -> Path:
    """Where raw payroll files live: never under MEDIA_ROOT, never served by URL."""
    configured = settings.EQUITY_UPLOAD_ROOT
    if configured:
        return Path(configured)
    import tempfile

    return Path(tempfile.gettempdir()) / "alongside-equity-uploads"


class EngineFailure(Exception):
    """The pay-gap engine failed on a file. Carries no value from the file."""


class UploadGone(EngineFailure):
    """The upload's file is missing from the upload directory (deleted by hand, lost
    with a disk, or the database restored without the files): it must be uploaded
    again."""

    def __init__(self) -> None:
        super().__init__("The uploaded file is no longer there.")


def engine_call(what: str, function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the engine; any unexpected error becomes a generic EngineFailure.

    `from None` drops the original exception (and its message, which might quote a
    cell) from the traceback Django's error report and the logs would show.
    """
    from alongside.equity import paygap

    try:
        return function(*args, **kwargs)
    except paygap.PayrollInvalid:
        raise
    except Exception as exc:  # noqa: BLE001 - re-raised without its message
        raise EngineFailure(
            f"The pay-gap engine failed while {what} ({type(exc).__name__})."
        ) from None


class EquitySettings(models.Model):
    organization = models.OneToOneField(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="equity_settings",
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group shown (k)"),
        default=DEFAULT_K,
        validators=[MinValueValidator(MIN_K), MaxValueValidator(MAX_K)],
        help_text=_(
            "Any figure that rests on fewer people than this, of either gender, "
            "is hidden."
        ),
    )
    keep_payroll_rows = models.BooleanField(
        _("keep uploaded payroll files"),
        default=False,
        help_text=_(
            "Off: the uploaded file is deleted as soon as its report is computed. "
            "On: it is kept, privately, until its report is deleted."
        ),
    )
    # A lowering of min_group_size waiting for its delay: the value asked for, when it
    # takes effect, and who asked. Until then `min_group_size` (the k in force) applies.
    pending_min_group_size = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_K), MaxValueValidator(MAX_K)],
    )
    pending_from = models.DateTimeField(null=True, blank=True)
    pending_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Equity settings of {self.organization_id}"

    @classmethod
    def for_organization(cls, organization: Organization) -> EquitySettings:
        found, _created = cls.objects.select_related("organization").get_or_create(
            organization=organization
        )
        found.settle()
        return found

    @property
    def has_pending_lowering(self) -> bool:
        return self.pending_min_group_size is not None and self.pending_from is not None

    def lowering_due(self, now: datetime | None = None) -> bool:
        return self.has_pending_lowering and (
            self.pending_from is not None
            and self.pending_from <= (now or timezone.now())
        )

    def settle(self, now: datetime | None = None) -> bool:
        """Put a pending lowering in force once its delay has passed. Return whether
        it did. The update is conditional, so two requests settling at once agree."""
        if not self.lowering_due(now):
            return False
        assert self.pending_min_group_size is not None
        value = self.pending_min_group_size
        EquitySettings.objects.filter(
            pk=self.pk, pending_min_group_size=value, pending_from=self.pending_from
        ).update(
            min_group_size=value,
            pending_min_group_size=None,
            pending_from=None,
            pending_requested_by=None,
            updated_at=timezone.now(),
        )
        self.min_group_size = value
        self.pending_min_group_size = None
        self.pending_from = None
        self.pending_requested_by = None
        return True

    def min_group_size_in_force(self, now: datetime | None = None) -> int:
        """This setting's k now: a pending lowering counts only once it is due."""
        if self.lowering_due(now):
            assert self.pending_min_group_size is not None
            return self.pending_min_group_size
        return self.min_group_size

    @property
    def effective_k(self) -> int:
        """The k pay figures use: this setting (in force, never a pending lowering) or
        the organization's general smallest group (organization settings), whichever
        is larger. Never below MIN_K."""
        return max(
            self.min_group_size_in_force(),
            self.organization.effective_min_group_size(),
            MIN_K,
        )


class AnalystGrantQuerySet(models.QuerySet["AnalystGrant"]):
    def for_organization(self, organization: Organization) -> AnalystGrantQuerySet:
        return self.filter(organization=organization)


class AnalystGrant(models.Model):
    """The HR analyst role: sees pay-gap and representation pages; granted by admins."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="analyst_grants",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AnalystGrantQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "user"), name="one_analyst_grant_per_user"
            ),
        )

    def __str__(self) -> str:
        return f"HR analyst {self.user_id} in {self.organization_id}"

    @classmethod
    def holds(cls, organization: Organization, user: User) -> bool:
        return cls.objects.filter(organization=organization, user=user).exists()


class UploadKind(models.TextChoices):
    PAYROLL = "payroll", _("Payroll (pay gap and, with a level column, representation)")
    REPRESENTATION = "representation", _("Headcount by level (representation only)")


class UploadStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    MAPPED = "mapped", _("Columns mapped")
    COMPUTED = "computed", _("Report computed")


class PayrollUploadQuerySet(models.QuerySet["PayrollUpload"]):
    def for_organization(self, organization: Organization) -> PayrollUploadQuerySet:
        return self.filter(organization=organization)

    def pending(self) -> PayrollUploadQuerySet:
        return self.exclude(status=UploadStatus.COMPUTED)

    def abandoned(self, now: Any = None) -> PayrollUploadQuerySet:
        now = now or timezone.now()
        return self.pending().filter(created_at__lt=now - ABANDONED_AFTER)


class PayrollUpload(models.Model):
    """An uploaded file on its way to a report. The file itself is outside the database.

    `stored_name` is a random file name inside `upload_root()`; the file is deleted when
    the report is computed (unless the organization keeps payroll files), when the
    upload is abandoned for 24 hours, or when its report is deleted.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="payroll_uploads",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(
        max_length=20, choices=UploadKind.choices, default=UploadKind.PAYROLL
    )
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=UploadStatus.choices, default=UploadStatus.UPLOADED
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = PayrollUploadQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Upload {self.pk} ({self.kind})"

    @property
    def path(self) -> Path | None:
        if not self.stored_name:
            return None
        return upload_root() / self.stored_name

    @property
    def file_exists(self) -> bool:
        path = self.path
        return path is not None and path.exists()

    def delete_file(self) -> None:
        path = self.path
        if path is not None:
            path.unlink(missing_ok=True)
        if self.stored_name:
            self.stored_name = ""
            if self.pk:
                PayrollUpload.objects.filter(pk=self.pk).update(stored_name="")

    # Reads of the file through the pay-gap engine (EngineFailure / UploadGone on error).

    def _existing_path(self) -> Path:
        path = self.path
        if path is None or not path.exists():
            raise UploadGone
        return path

    def headers(self) -> list[str]:
        from alongside.equity import paygap

        headers: list[str] = engine_call(
            "reading the header", paygap.detect_columns, self._existing_path()
        )
        return headers

    @sensitive_variables("values")
    def gender_values(self, column: str) -> list[str]:
        from alongside.equity import paygap

        values: list[str] = engine_call(
            "reading gender values",
            paygap.sample_values,
            self._existing_path(),
            column,
            limit=20,
        )
        return [str(v) for v in values]

    def level_values(self) -> list[str] | None:
        from alongside.equity import paygap

        column = self.mapping.get("columns", {}).get("level")
        if not column or self.path is None or not self.path.exists():
            return None
        values = engine_call(
            "reading levels", paygap.sample_values, self.path, column, limit=50
        )
        return sorted(str(v) for v in values if str(v).strip())

    def column_mapping(self) -> paygap.ColumnMapping:
        from alongside.equity import paygap

        return paygap.ColumnMapping.from_json(self.mapping)

    @property
    def validation_kind(self) -> str:
        return "representation" if self.kind == UploadKind.REPRESENTATION else "paygap"

    @sensitive_variables()
    def validate(self) -> paygap.ValidationResult:
        from alongside.equity import paygap

        path = self._existing_path()
        result: paygap.ValidationResult = engine_call(
            "validating",
            paygap.validate,
            path,
            self.column_mapping(),
            kind=self.validation_kind,
        )
        return result


class ReportKind(models.TextChoices):
    PAYGAP = "paygap", _("Pay gap")
    REPRESENTATION = "representation", _("Representation")


class PayGapReportQuerySet(models.QuerySet["PayGapReport"]):
    def for_organization(self, organization: Organization) -> PayGapReportQuerySet:
        return self.filter(organization=organization)

    def same_period(self, snapshot_date: date) -> PayGapReportQuerySet:
        """Reports whose snapshot date is fewer than `same_period_days()` days away."""
        days = timedelta(days=same_period_days())
        return self.filter(
            snapshot_date__gt=snapshot_date - days,
            snapshot_date__lt=snapshot_date + days,
        )

    def pay_gap(self) -> PayGapReportQuerySet:
        return self.filter(kind=ReportKind.PAYGAP)

    def with_representation(self) -> PayGapReportQuerySet:
        return self.exclude(representation__isnull=True)


class PayGapReport(models.Model):
    """Computed figures at full precision. Suppression is applied when shown, with
    the organization's k at that moment; nothing here identifies an employee."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="paygap_reports",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(
        max_length=20, choices=ReportKind.choices, default=ReportKind.PAYGAP
    )
    title = models.CharField(_("title"), max_length=200)
    snapshot_date = models.DateField(_("snapshot date"))
    figures = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    representation = models.JSONField(null=True, blank=True)
    k_used = models.PositiveSmallIntegerField(default=DEFAULT_K)
    upload = models.OneToOneField(
        PayrollUpload,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PayGapReportQuerySet.as_manager()

    class Meta:
        ordering = ("-snapshot_date", "-created_at", "-id")
        indexes = (
            models.Index(
                fields=("organization", "kind", "-snapshot_date"),
                name="paygap_report_by_org",
            ),
        )

    def __str__(self) -> str:
        return self.title

    @property
    def keeps_raw_file(self) -> bool:
        return self.upload is not None and self.upload.file_exists
