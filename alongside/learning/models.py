"""Courses, their modules and lessons, quizzes, scenarios, enrollments and certificates.

A course belongs to an organization, or is a shipped library course (organization
NULL) that every organization sees read-only and may copy. Learner data (enrollments,
lesson progress, quiz attempts, scenario progress, certificates) always belongs to the
organization the member learned in, even for a library course.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from alongside.lib.markdown import render_markdown

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

# Hosts whose players may be embedded in a lesson. The lesson page adds the video's host
# to its own response's CSP frame-src; the global policy never changes.
VIDEO_HOSTS: frozenset[str] = frozenset(
    {"www.youtube-nocookie.com", "youtube-nocookie.com", "player.vimeo.com"}
)


def validate_video_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme != "https" or (parts.hostname or "") not in VIDEO_HOSTS:
        raise ValidationError(
            _("Use an https embed link from one of: %(hosts)s."),
            params={"hosts": ", ".join(sorted(VIDEO_HOSTS))},
            code="video_host",
        )


def new_certificate_code() -> str:
    """A 256-bit random code: guessing a valid certificate link is not feasible."""
    return secrets.token_urlsafe(32)


class CourseQuerySet(models.QuerySet["Course"]):
    def library(self) -> CourseQuerySet:
        return self.filter(organization__isnull=True)

    def for_organization(self, organization: Organization) -> CourseQuerySet:
        """Courses the organization owns (its own, drafts included)."""
        return self.filter(organization=organization)

    def available_to(self, organization: Organization) -> CourseQuerySet:
        """Courses an organization's members may take: its own and the library's, published."""
        return self.filter(
            Q(organization=organization) | Q(organization__isnull=True),
            status=Course.Status.PUBLISHED,
        )

    def visible_to_author(self, organization: Organization) -> CourseQuerySet:
        """What a facilitator or program admin may open: own courses in any state, and
        the published library."""
        return self.filter(
            Q(organization=organization)
            | Q(organization__isnull=True, status=Course.Status.PUBLISHED)
        )


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="courses",
    )
    slug = models.SlugField(max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=140)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(
        _("description (Markdown)"), max_length=10000, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_by",
        verbose_name=_("prerequisites"),
    )
    # For library courses: the curriculum spec version it was last loaded from.
    library_version = models.PositiveIntegerField(default=0)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ("title", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("slug",),
                condition=Q(organization__isnull=True),
                name="unique_library_course_slug",
            ),
        )

    def __str__(self) -> str:
        return self.title

    @property
    def is_library(self) -> bool:
        return self.organization_id is None

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def description_html(self) -> SafeString:
        return render_markdown(self.description)

    def is_editable_by(self, organization: Organization) -> bool:
        return self.organization_id == organization.pk

    def lessons(self) -> models.QuerySet[Lesson]:
        return Lesson.objects.filter(module__course=self).order_by(
            "module__position", "module__id", "position", "id"
        )

    def get_absolute_url_for(self, organization: Organization) -> str:
        return reverse(
            "learning:course_detail", kwargs={"org": organization.slug, "pk": self.pk}
        )

    def touch(self) -> None:
        self.updated_at = timezone.now()
        self.save(update_fields=("updated_at",))


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=140)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=140)
    body = models.TextField(_("lesson text (Markdown)"), max_length=50000, blank=True)
    video_url = models.URLField(
        _("video embed link (optional)"),
        max_length=300,
        blank=True,
        validators=[validate_video_url],
        help_text=_(
            "An embed link from youtube-nocookie.com or player.vimeo.com, e.g. "
            "https://www.youtube-nocookie.com/embed/VIDEO_ID"
        ),
    )
    sources = models.TextField(_("sources, one per line"), max_length=5000, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.title

    @property
    def course(self) -> Course:
        return self.module.course

    def body_html(self) -> SafeString:
        return render_markdown(self.body)

    def body_with_images(
        self, images: Sequence[LessonImage], body: str | None = None
    ) -> tuple[SafeString, list[LessonImage]]:
        """The lesson text (or `body`, for a preview) with each line that reads
        `[image N]` replaced by the Nth image, and the images the text does not place,
        which follow it. A number with no image stays as typed."""
        parts = IMAGE_MARKER.split(self.body if body is None else body)
        html = [render_markdown(parts[0])]
        placed: set[int] = set()
        for number, text in zip(parts[1::2], parts[2::2], strict=True):
            index = int(number) - 1
            if 0 <= index < len(images):
                html.append(images[index].figure_html())
                placed.add(index)
            else:
                html.append(render_markdown(f"[image {number}]"))
            html.append(render_markdown(text))
        rest = [image for i, image in enumerate(images) if i not in placed]
        return mark_safe("".join(html)), rest  # noqa: S308 (each part is rendered safely)

    def source_list(self) -> list[str]:
        return [line.strip() for line in self.sources.splitlines() if line.strip()]

    @property
    def video_host(self) -> str:
        return urlsplit(self.video_url).hostname or "" if self.video_url else ""

    def safe_video_url(self) -> str:
        """The video link only if its host is (still) on the allowlist."""
        if self.video_url and self.video_host in VIDEO_HOSTS:
            return self.video_url
        return ""


# A line of its own in a lesson's text that places its Nth image there.
IMAGE_MARKER = re.compile(r"^[ \t]*\[image (\d{1,3})\][ \t]*$", re.MULTILINE)


def lesson_image_path(instance: LessonImage, filename: str) -> str:
    return f"lessons/{secrets.token_hex(16)}.{instance.image_format or 'png'}"


class LessonImage(models.Model):
    """An uploaded image shown with the lesson (validated and re-encoded with pillow)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=lesson_image_path)
    image_format = models.CharField(max_length=8, default="png", editable=False)
    alt_text = models.CharField(
        _("description for people who cannot see it"), max_length=300
    )
    caption = models.CharField(_("caption (optional)"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.alt_text

    def figure_html(self) -> SafeString:
        if self.caption:
            return format_html(
                '<figure><img src="{}" alt="{}" loading="lazy">'
                "<figcaption>{}</figcaption></figure>",
                self.image.url,
                self.alt_text,
                self.caption,
            )
        return format_html(
            '<figure><img src="{}" alt="{}" loading="lazy"></figure>',
            self.image.url,
            self.alt_text,
        )


class Quiz(models.Model):
    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="quiz")
    pass_mark_pct = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    def __str__(self) -> str:
        return f"Quiz: {self.lesson}"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One answer")
        MULTIPLE = "multiple", _("Several answers")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    prompt = models.TextField(_("question"), max_length=2000)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.prompt[:60]


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices"
    )
    text = models.CharField(_("answer"), max_length=500)
    correct = models.BooleanField(_("correct"), default=False)
    explanation = models.TextField(_("explanation"), max_length=2000, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.text


class Scenario(models.Model):
    """A branching "what would you say?" practice attached to a lesson."""

    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, related_name="scenario"
    )
    title = models.CharField(max_length=140)
    situation = models.TextField(max_length=5000)
    start = models.ForeignKey(
        "ScenarioStep", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return self.title

    def situation_html(self) -> SafeString:
        return render_markdown(self.situation)


class ScenarioStep(models.Model):
    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="steps"
    )
    key = models.SlugField(max_length=80)
    prompt = models.TextField(max_length=5000)

    class Meta:
        ordering = ("id",)
        constraints = (
            models.UniqueConstraint(
                fields=("scenario", "key"), name="unique_scenario_step_key"
            ),
        )

    def __str__(self) -> str:
        return self.key

    def prompt_html(self) -> SafeString:
        return render_markdown(self.prompt)


class ScenarioChoice(models.Model):
    step = models.ForeignKey(
        ScenarioStep, on_delete=models.CASCADE, related_name="choices"
    )
    text = models.CharField(max_length=500)
    consequence = models.TextField(max_length=2000)
    coaching = models.TextField(max_length=2000)
    next_step = models.ForeignKey(
        ScenarioStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.text


class EnrollmentQuerySet(models.QuerySet["Enrollment"]):
    def for_organization(self, organization: Organization) -> EnrollmentQuerySet:
        return self.filter(organization=organization)

    def of_member(self, member: User) -> EnrollmentQuerySet:
        return self.filter(member=member)

    def completed(self) -> EnrollmentQuerySet:
        return self.filter(completed_at__isnull=False)

    def in_progress(self) -> EnrollmentQuerySet:
        return self.filter(completed_at__isnull=True)


class Enrollment(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrollments"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ("-enrolled_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "member", "course"),
                name="one_enrollment_per_course",
            ),
        )

    def __str__(self) -> str:
        return f"{self.member} in {self.course}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    def completed_lesson_ids(self) -> set[int]:
        return set(self.lesson_progress.values_list("lesson_id", flat=True))


class LessonProgress(models.Model):
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("enrollment", "lesson"), name="one_progress_per_lesson"
            ),
        )

    def __str__(self) -> str:
        return f"{self.enrollment_id}: lesson {self.lesson_id}"


class QuizAttempt(models.Model):
    """One submitted attempt at a quiz. `submission_key` comes from the form, so a
    replayed submission finds the attempt it already made instead of adding one."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    submission_key = models.UUIDField(unique=True)
    # {question id (str): [chosen choice ids]}, checked on the server.
    answers = models.JSONField(default=dict)
    score_pct = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.quiz}: {self.score_pct}%"

    def chosen_ids(self, question_id: int) -> list[int]:
        values = self.answers.get(str(question_id), [])
        return [int(v) for v in values]


class ScenarioProgress(models.Model):
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="scenario_progress"
    )
    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="progress"
    )
    current_step = models.ForeignKey(
        ScenarioStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The choice ids taken so far, in order.
    path = models.JSONField(default=list)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("enrollment", "scenario"), name="one_scenario_progress"
            ),
        )

    def __str__(self) -> str:
        return f"{self.enrollment_id}: scenario {self.scenario_id}"


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def valid(self) -> CertificateQuerySet:
        return self.filter(revoked_at__isnull=True)


class Certificate(models.Model):
    """Issued when an enrollment completes. What it certifies is copied onto it, so the
    certificate says what was true on the day even if the course is renamed later.

    Erasing the account revokes it: the name is blanked and the link says "not valid".
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    enrollment = models.OneToOneField(
        Enrollment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificate",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
    )
    code = models.CharField(max_length=64, unique=True, default=new_certificate_code)
    member_name = models.CharField(max_length=200)
    course_title = models.CharField(max_length=140)
    organization_name = models.CharField(max_length=120)
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ("-issued_at", "-id")

    def __str__(self) -> str:
        return f"Certificate {self.course_title}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    def verification_path(self) -> str:
        return reverse("learning:certificate_verify", kwargs={"code": self.code})

    def verification_url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.verification_path()

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.member = None
        self.member_name = ""
        self.save(update_fields=("revoked_at", "member", "member_name"))
