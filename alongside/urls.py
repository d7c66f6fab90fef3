from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.static import serve

from alongside import views

# The admin signs in through allauth, so it shares its rate limits and MFA.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Alongside administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # First after /healthz: signing is the public hot path of a viral drive, and
    # every pattern tried before it costs each signature (campaign URLs share no
    # prefix with any other app's).
    path("", include("alongside.campaigns.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("alongside.accounts.urls")),
    path("", include("alongside.notifications.urls")),
    path("", include("alongside.organizations.urls")),
    path("", include("alongside.pledges.urls")),
    path("", include("alongside.recognition.urls")),
    path("", include("alongside.concerns.urls")),
    path("", include("alongside.learning.urls")),
    path("", include("alongside.events.urls")),
    path("", include("alongside.equity.urls")),
    path("", include("alongside.circles.urls")),
    path("", include("alongside.dialogue.urls")),
    path("admin/", admin.site.urls),
]

# Uploaded public images (campaign and lesson images) in development. In production the
# reverse proxy serves MEDIA_ROOT at MEDIA_URL (docs/deploy.md). Nothing private is stored
# under MEDIA_ROOT: payroll uploads live in a private directory of the equity app.
if settings.DEBUG:
    urlpatterns += [
        re_path(
            r"^media/(?P<path>.*)$",
            login_not_required(serve),
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
