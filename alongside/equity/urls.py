from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

from alongside.equity import views_paygap, views_wording

app_name = "equity"

urlpatterns: list[URLPattern] = []

# Wording checker (job ads and performance reviews): only the `org` kwarg.
urlpatterns += [
    path("o/<slug:org>/equity/wording/", views_wording.job_ad, name="wording"),
    path(
        "o/<slug:org>/equity/wording/check/",
        views_wording.job_ad_check,
        name="wording_check",
    ),
    path(
        "o/<slug:org>/equity/wording/reviews/",
        views_wording.review,
        name="wording_reviews",
    ),
    path(
        "o/<slug:org>/equity/wording/reviews/check/",
        views_wording.review_check,
        name="wording_reviews_check",
    ),
]

# Pay gap, representation, HR analysts and settings (views_paygap.py). Object kwargs:
# report_id, upload_id, grant_id (registered in tests/sweep.py).
urlpatterns += [
    path("o/<slug:org>/equity/pay-gap/", views_paygap.reports, name="reports"),
    path("o/<slug:org>/equity/pay-gap/upload/", views_paygap.upload, name="upload"),
    path(
        "o/<slug:org>/equity/pay-gap/<int:report_id>/",
        views_paygap.report_detail,
        name="report_detail",
    ),
    path(
        "o/<slug:org>/equity/pay-gap/<int:report_id>/pdf/",
        views_paygap.report_pdf,
        name="report_pdf",
    ),
    path(
        "o/<slug:org>/equity/pay-gap/<int:report_id>/delete/",
        views_paygap.report_delete,
        name="report_delete",
    ),
    path(
        "o/<slug:org>/equity/uploads/<int:upload_id>/map/",
        views_paygap.upload_map,
        name="upload_map",
    ),
    path(
        "o/<slug:org>/equity/uploads/<int:upload_id>/check/",
        views_paygap.upload_check,
        name="upload_check",
    ),
    path(
        "o/<slug:org>/equity/uploads/<int:upload_id>/discard/",
        views_paygap.upload_discard,
        name="upload_discard",
    ),
    path(
        "o/<slug:org>/equity/representation/",
        views_paygap.representation,
        name="representation",
    ),
    path(
        "o/<slug:org>/equity/representation/<int:report_id>/",
        views_paygap.representation_detail,
        name="representation_detail",
    ),
    path("o/<slug:org>/equity/analysts/", views_paygap.analysts, name="analysts"),
    path(
        "o/<slug:org>/equity/analysts/<int:grant_id>/revoke/",
        views_paygap.analyst_revoke,
        name="analyst_revoke",
    ),
    path(
        "o/<slug:org>/equity/settings/",
        views_paygap.equity_settings,
        name="settings",
    ),
]
