"""The wording checker pages: job ads (gendered wording) and performance reviews.

Nothing typed or uploaded here is stored or logged: the text is checked in memory and
sent back highlighted. Each mode has a full page (works without JavaScript, with a
normal form submit and file upload) and a partial endpoint that htmx calls as one types.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from alongside.equity.access import equity_required
from alongside.equity.forms.wording import WordingForm
from alongside.equity.wording import checker
from alongside.equity.wording.highlight import highlight_job_ad, highlight_review
from alongside.equity.wording.reviews import CATEGORIES, check_review
from alongside.equity.wording.suggestions import suggestions_for
from alongside.organizations.access import OrgHttpRequest

# The door: program admins and HR analysts (AnalystGrant) of the organization, under
# the organization's admin MFA rule; anyone else gets 404.
wording_required = equity_required

VERDICT_LABELS: dict[str, str | Promise] = {
    checker.STRONGLY_FEMININE: _("strongly feminine-coded"),
    checker.FEMININE: _("feminine-coded"),
    checker.NEUTRAL: _("neutral"),
    checker.MASCULINE: _("masculine-coded"),
    checker.STRONGLY_MASCULINE: _("strongly masculine-coded"),
    checker.EMPTY: _("empty (no coded words)"),
}

VERDICT_EXPLANATIONS: dict[str, str | Promise] = {
    checker.STRONGLY_MASCULINE: _(
        "This text uses many more masculine-coded words than feminine-coded ones "
        "(four or more). The research found that wording like this makes a job less "
        "appealing to women, who expect to belong less there."
    ),
    checker.MASCULINE: _(
        "This text uses more masculine-coded words than feminine-coded ones (one to "
        "three more). Consider the suggested rewordings below."
    ),
    checker.NEUTRAL: _(
        "This text uses as many masculine-coded as feminine-coded words: its wording "
        "is balanced by this measure."
    ),
    checker.FEMININE: _(
        "This text uses more feminine-coded words than masculine-coded ones (one to "
        "three more). The research measured the effect of masculine-coded wording on "
        "women; still, check that the ad states the job's demands as clearly as its "
        "culture."
    ),
    checker.STRONGLY_FEMININE: _(
        "This text uses many more feminine-coded words than masculine-coded ones (four "
        "or more). Check that it describes the job's demands as clearly as its culture."
    ),
    checker.EMPTY: _("This text uses no words from either list."),
}


@dataclass(frozen=True)
class WordRow:
    word: str
    gender: str
    count: int
    suggestions: tuple[str | Promise, ...]


def _job_ad_context(text: str) -> dict[str, Any]:
    if not text.strip():
        return {"checked": False}
    result = checker.check(text, positions=True)
    counts = Counter(w.word for w in result.words)
    rows: dict[str, WordRow] = {}
    for w in result.words:
        if w.word not in rows:
            rows[w.word] = WordRow(
                word=w.word,
                gender=" / ".join(w.genders),
                count=counts[w.word],
                suggestions=suggestions_for(w.stem),
            )
    return {
        "checked": True,
        "result": result,
        "verdict_label": VERDICT_LABELS[result.verdict],
        "explanation": VERDICT_EXPLANATIONS[result.verdict],
        "highlighted": highlight_job_ad(text, result),
        "masculine_rows": [r for r in rows.values() if "masculine" in r.gender],
        "feminine_rows": [r for r in rows.values() if r.gender == "feminine"],
    }


def _review_context(text: str) -> dict[str, Any]:
    if not text.strip():
        return {"checked": False}
    result = check_review(text)
    return {
        "checked": True,
        "review": result,
        "highlighted": highlight_review(text, result),
        "flagged_count": len(result.flagged),
        "standout_count": result.count("standout"),
        "grindstone_count": result.count("grindstone"),
        "achievement_count": result.count("achievement"),
        "by_category": result.by_category(),
    }


def _page(
    request: OrgHttpRequest, template: str, analyse: Any, **extra: Any
) -> HttpResponse:
    context: dict[str, Any] = {
        "organization": request.organization,
        "membership": request.membership,
        "checked": False,
        **extra,
    }
    if request.method == "POST":
        form = WordingForm(request.POST, request.FILES)
        if form.is_valid():
            context.update(analyse(form.cleaned_data["text"]))
            # The extracted text of an upload goes back into the textarea, so it can
            # be edited and re-checked live.
            form = WordingForm(initial={"text": form.cleaned_data["text"]})
    else:
        form = WordingForm()
    context["form"] = form
    return render(request, template, context)


def _partial(request: OrgHttpRequest, template: str, analyse: Any) -> HttpResponse:
    form = WordingForm(request.POST)
    context: dict[str, Any] = {"organization": request.organization, "checked": False}
    if form.is_valid():
        context.update(analyse(form.cleaned_data["text"]))
    else:
        context["errors"] = form.errors.get("text")
    return render(request, f"{template}#live", context)


@require_http_methods(["GET", "POST"])
@wording_required
def job_ad(request: OrgHttpRequest) -> HttpResponse:
    return _page(
        request,
        "equity/wording/job_ad.html",
        _job_ad_context,
        lexicon=checker.lexicon(),
    )


@require_POST
@wording_required
def job_ad_check(request: OrgHttpRequest) -> HttpResponse:
    return _partial(request, "equity/wording/job_ad.html", _job_ad_context)


@require_http_methods(["GET", "POST"])
@wording_required
def review(request: OrgHttpRequest) -> HttpResponse:
    return _page(
        request,
        "equity/wording/review.html",
        _review_context,
        categories=CATEGORIES.values(),
    )


@require_POST
@wording_required
def review_check(request: OrgHttpRequest) -> HttpResponse:
    return _partial(request, "equity/wording/review.html", _review_context)
