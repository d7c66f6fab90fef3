from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

from alongside.equity.views import paygap, wording

app_name = "equity"

urlpatterns: list[URLPattern] = []

# Wording checker (job ads and performance reviews): only the `org` kwarg.
urlpatterns += [
    path("o/<slug:org>/equity/wording/", wording.job_ad, name="wording"),
    path(
        "o/<slug:org>/equity/wording/check/",
        wording.job_ad_check,
        name="wording_check",
    ),
    path(
        "o/<slug:org>/equity/wording/reviews/",
        wording.review,
        name="wording_reviews",
    ),
    path(
        "o/<slug:org>/equity/wording/reviews/check/",
        wording.review_check,
        name="wording_reviews_check",
    ),
]

# Pay gap, representation, HR analysts and settings (paygap.py). Object kwargs:
# report_id, upload_id, grant_id (registered in tests/sweep.py).
urlpatterns += [
    path("o/<slug:org>/equity/pay-gap/", paygap.reports, name="reports"),
    path("o/<slug:org>/equity/pay-gap/upload/", paygap.upload, name="upload"),
    path(
        "o/<slug:org>/equity/pay-gap/<int:report_id>/",
        paygap.report_detail,
        name="report_detail",
    ),
    path(
        "o/<slug:org>/equity/pay-gap/<int:report_id>/pdf/",
        paygap.report_pdf,
        name="report_pdf",
    ),
    path(
        "o/<slug:org>/equity/pay-gap/<int:report_id>/delete/",
        paygap.report_delete,
        name="report_delete",
    ),
    path(
        "o/<slug:org>/equity/uploads/<int:upload_id>/map/",
        paygap.upload_map,
        name="upload_map",
    ),
    path(
        "o/<slug:org>/equity/uploads/<int:upload_id>/check/",
        paygap.upload_check,
        name="upload_check",
    ),
    path(
        "o/<slug:org>/equity/uploads/<int:upload_id>/discard/",
        paygap.upload_discard,
        name="upload_discard",
    ),
    path(
        "o/<slug:org>/equity/representation/",
        paygap.representation,
        name="representation",
    ),
    path(
        "o/<slug:org>/equity/representation/<int:report_id>/",
        paygap.representation_detail,
        name="representation_detail",
    ),
    path("o/<slug:org>/equity/analysts/", paygap.analysts, name="analysts"),
    path(
        "o/<slug:org>/equity/analysts/<int:grant_id>/revoke/",
        paygap.analyst_revoke,
        name="analyst_revoke",
    ),
    path(
        "o/<slug:org>/equity/settings/",
        paygap.equity_settings,
        name="settings",
    ),
]
