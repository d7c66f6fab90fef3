from __future__ import annotations

from django.contrib import admin

from alongside.learning.models import Certificate, Course
from alongside.lib.privateadmin import PrivateDeletionMixin


@admin.register(Course)
class CourseAdmin(PrivateDeletionMixin, admin.ModelAdmin[Course]):
    list_display = ("title", "organization", "status", "library_version", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "slug")


@admin.register(Certificate)
class CertificateAdmin(PrivateDeletionMixin, admin.ModelAdmin[Certificate]):
    # The code is the public link: never shown or searchable here.
    list_display = ("course_title", "organization_name", "issued_at", "revoked_at")
    exclude = ("code",)
    readonly_fields = (
        "organization",
        "enrollment",
        "member",
        "member_name",
        "course_title",
        "organization_name",
        "issued_at",
        "revoked_at",
    )
