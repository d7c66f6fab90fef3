from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.lib.visibility import Visibility


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Profile fields live here; each has its own visibility."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    pronouns_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.ORGANIZATION
    )
    gender = models.CharField(
        _("gender (self-described)"),
        max_length=60,
        blank=True,
        help_text=_(
            "Optional, in your own words. Never required, and private unless you choose otherwise."
        ),
    )
    gender_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    bio = models.TextField(_("short bio"), max_length=600, blank=True)
    bio_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.ORGANIZATION
    )
    why_ally = models.TextField(_("why I am an ally"), max_length=1000, blank=True)
    why_ally_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.ORGANIZATION
    )

    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """What other people see: the display name (sign-up asks for it).

        Never a part of the email address, which other members must not learn.
        """
        return self.display_name or str(_("Member %(number)s") % {"number": self.pk})

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    def can_see(
        self, visibility: str, *, viewer: User | None, same_organization: bool
    ) -> bool:
        """Whether `viewer` may see a piece of this user's record with the given visibility.

        `same_organization` says whether the viewer is a member of the organization in
        whose context the record is shown (the caller checks the membership).
        """
        if viewer is not None and viewer.is_authenticated and viewer.pk == self.pk:
            return True
        if visibility == Visibility.PUBLIC:
            return True
        if visibility == Visibility.ORGANIZATION:
            return same_organization
        return False

    def shares_organization_with(self, other: User | None) -> bool:
        """Whether `other` is a member of at least one organization this user belongs to."""
        if other is None or not other.is_authenticated:
            return False
        if other.pk == self.pk:
            return True
        shared: bool = self.memberships.filter(
            organization__memberships__user=other
        ).exists()
        return shared

    def profile_visible_to(
        self, viewer: User | None, *, same_organization: bool
    ) -> dict[str, str]:
        """The profile fields `viewer` may see, by field name; hidden and empty fields are left out."""
        fields = {
            "pronouns": self.pronouns_visibility,
            "gender": self.gender_visibility,
            "bio": self.bio_visibility,
            "why_ally": self.why_ally_visibility,
        }
        return {
            name: getattr(self, name)
            for name, visibility in fields.items()
            if getattr(self, name)
            and self.can_see(
                visibility, viewer=viewer, same_organization=same_organization
            )
        }

    def profile_items_visible_to(
        self, viewer: User | None, *, same_organization: bool
    ) -> list[tuple[str, str]]:
        """(label, value) pairs of the visible profile fields, in display order."""
        visible = self.profile_visible_to(viewer, same_organization=same_organization)
        return [
            (str(User._meta.get_field(name).verbose_name), value)  # type: ignore[union-attr]
            for name, value in visible.items()
        ]
