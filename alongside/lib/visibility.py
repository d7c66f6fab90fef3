from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    """Who may see a piece of a member's record."""

    PUBLIC = "public", _("Anyone, including people outside the organization")
    ORGANIZATION = "organization", _("Members of my organization")
    PRIVATE = "private", _("Only me")
