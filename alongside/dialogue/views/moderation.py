"""Moderation pages: the queue, a post's moderation page and the acts (confirmed when
destructive), appeals, sanctions, settings and the log; and the members' side: flag a
post, appeal a hidden post or a sanction.

Every object is loaded within the organization and then checked against the space's
rules; anything the viewer may not act on is 404. Moderators never see who flagged a
post, who is behind a pseudonym, or who filed an appeal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alongside.audit.models import ACTION_LABELS, AuditEvent
from alongside.audit.services import audit_record
from alongside.dialogue import language_screen, moderation, trust
from alongside.dialogue.forms import (
    DecisionForm,
    FlagForm,
    ReasonForm,
    SettingsForm,
    StatementForm,
    SuspendForm,
    TrustForm,
)
from alongside.dialogue.models import (
    Appeal,
    Flag,
    MemberTrust,
    Post,
    Sanction,
    Space,
    Thread,
)
from alongside.organizations.access import OrgHttpRequest, member_required

ITEMS_PER_PAGE = 20
LOG_PER_PAGE = 50


def _context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }


def _moderated_spaces(request: OrgHttpRequest) -> Any:
    return Space.objects.moderated_by(request.membership).values("pk")


def _require_queue(request: OrgHttpRequest) -> None:
    if not moderation.moderates_anything(request.membership):
        raise Http404


_POST_RELATED = (
    "author",
    "pseudonym",
    "thread__space__organization",
    "thread__space__circle",
)


def _get_moderated_post(request: OrgHttpRequest, post_uid: UUID) -> Post:
    post = get_object_or_404(
        Post.objects.select_related(*_POST_RELATED),
        thread__space__organization=request.organization,
        uid=post_uid,
    )
    if not post.thread.space.can_moderate(request.membership):
        raise Http404
    return post


def _get_visible_post(request: OrgHttpRequest, post_uid: UUID) -> Post:
    post = get_object_or_404(
        Post.objects.select_related(*_POST_RELATED),
        thread__space__organization=request.organization,
        uid=post_uid,
    )
    if not post.thread.space.is_visible_to(request.user):
        raise Http404
    return post


# Forms ---------------------------------------------------------------------------------


# The queue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FlaggedRow:
    post: Post
    author: str
    count: int
    reasons: list[tuple[str, int]]


def _page(request: OrgHttpRequest, items: Any, param: str) -> Any:
    return Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get(param))


@member_required
def queue(request: OrgHttpRequest) -> HttpResponse:
    _require_queue(request)
    membership = request.membership
    held = _page(
        request,
        Post.objects.held_for(membership).select_related(*_POST_RELATED),
        "held",
    )
    flagged_posts = _page(
        request,
        Post.objects.flagged_for(membership).select_related(*_POST_RELATED),
        "flagged",
    )
    reasons = Flag.objects.open_reasons(list(flagged_posts.object_list))
    flagged = [
        FlaggedRow(
            post=p,
            author=moderation.author_label(p),
            count=p.open_flags,
            reasons=reasons.get(p.pk, []),
        )
        for p in flagged_posts.object_list
    ]
    appeals = _page(
        request,
        Appeal.objects.open_for(membership).select_related("post__thread", "sanction"),
        "appeals",
    )
    return render(
        request,
        "dialogue/moderation/queue.html",
        _context(
            request,
            held=held,
            held_rows=[(p, moderation.author_label(p)) for p in held.object_list],
            flagged_page=flagged_posts,
            flagged=flagged,
            appeals=appeals,
            is_admin=request.membership.is_program_admin,
        ),
    )


# One post ------------------------------------------------------------------------------


def _author_trust(post: Post) -> MemberTrust | None:
    if post.pseudonym_id is not None or post.author is None:
        return None
    return MemberTrust.objects.filter(
        organization=post.thread.space.organization, user=post.author
    ).first() or MemberTrust(
        organization=post.thread.space.organization, user=post.author
    )


@member_required
def moderate_post(request: OrgHttpRequest, post_uid: UUID) -> HttpResponse:
    post = _get_moderated_post(request, post_uid)
    space = post.thread.space
    labels = dict(Flag.Reason.choices)
    flags = list(
        Flag.objects.filter(post=post, outcome=Flag.Outcome.OPEN)
        .order_by("created_at", "id")
        .values("reason", "detail", "created_at")
    )
    reasons: dict[str, int] = {}
    for flag in flags:
        label = str(labels.get(flag["reason"], flag["reason"]))
        reasons[label] = reasons.get(label, 0) + 1
    matched = (
        language_screen.screen_post(
            post.body, language_screen.settings_for(space.organization_id)
        )
        if not post.is_deleted
        else []
    )
    target = Q(pseudonym=post.pseudonym) if post.pseudonym_id else Q(user=post.author)
    history = (
        list(
            Sanction.objects.filter(target, organization=request.organization)
            .select_related("space")
            .order_by("-created_at")[:10]
        )
        if post.pseudonym_id or post.author_id
        else []
    )
    record = _author_trust(post)
    score, reporters = moderation.flag_score(post)
    return render(
        request,
        "dialogue/moderation/post.html",
        _context(
            request,
            post=post,
            thread=post.thread,
            space=space,
            author=moderation.author_label(post),
            flags=flags,
            reasons=sorted(reasons.items(), key=lambda r: -r[1]),
            score=score,
            reporters=reporters,
            matched=matched,
            history=history,
            trust_record=record,
            trust_form=TrustForm(initial={"level": record.level}) if record else None,
            can_sanction=post.pseudonym_id is not None
            or (
                post.author is not None
                and post.author.is_active
                and not moderation.can_moderate(space, post.author)
            ),
            scope=moderation.sanction_scope(post),
        ),
    )


# (action, title, confirm button, form, needs a confirmation page)
ACTIONS: dict[str, tuple[Any, Any, type[ReasonForm] | None]] = {
    "hide": (
        gettext_lazy("Hide this post"),
        gettext_lazy("Hide it"),
        ReasonForm,
    ),
    "reject": (
        gettext_lazy("Reject this held post"),
        gettext_lazy("Reject it"),
        ReasonForm,
    ),
    "remove": (
        gettext_lazy("Delete this post"),
        gettext_lazy("Delete it"),
        ReasonForm,
    ),
    "warn": (
        gettext_lazy("Warn the author"),
        gettext_lazy("Send the warning"),
        ReasonForm,
    ),
    "suspend": (
        gettext_lazy("Suspend the author"),
        gettext_lazy("Suspend"),
        SuspendForm,
    ),
    "ban": (
        gettext_lazy("Ban the author"),
        gettext_lazy("Ban"),
        ReasonForm,
    ),
    "approve": (gettext_lazy("Approve this post"), gettext_lazy("Approve"), None),
    "restore": (gettext_lazy("Restore this post"), gettext_lazy("Restore"), None),
}

DONE = {
    "hide": gettext_lazy("The post is hidden. Its author was told and may appeal."),
    "reject": gettext_lazy("The post was rejected. Its author was told why."),
    "remove": gettext_lazy("The post was deleted. Its author was told why."),
    "warn": gettext_lazy("The warning was sent."),
    "suspend": gettext_lazy("The author is suspended and was told until when."),
    "ban": gettext_lazy("The author is banned and was told how to appeal."),
    "approve": gettext_lazy("The post is published."),
    "restore": gettext_lazy("The post is restored and its flags are dismissed."),
}


def _do(action: str, post: Post, moderator: Any, data: dict[str, Any]) -> None:
    reason = data.get("reason", "")
    if action == "hide":
        moderation.hide(post, moderator=moderator, reason=reason)
    elif action == "reject":
        moderation.reject(post, moderator=moderator, reason=reason)
    elif action == "remove":
        moderation.remove(post, moderator=moderator, reason=reason)
    elif action == "approve":
        moderation.approve(post, moderator=moderator)
    elif action == "restore":
        moderation.restore(post, moderator=moderator)
    else:
        kind = {
            "warn": Sanction.Kind.WARNING,
            "suspend": Sanction.Kind.SUSPENSION,
            "ban": Sanction.Kind.BAN,
        }[action]
        moderation.sanction(
            post, moderator=moderator, kind=kind, reason=reason, days=data.get("days")
        )


@member_required
def post_act(request: OrgHttpRequest, post_uid: UUID, action: str) -> HttpResponse:
    post = _get_moderated_post(request, post_uid)
    title, button, form_class = ACTIONS[action]
    here = reverse(
        "dialogue:moderate_post",
        kwargs={"org": request.organization.slug, "post_uid": post.uid},
    )
    form = (
        form_class(request.POST or None, required=action != "hide")
        if form_class is not None
        else None
    )
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            _do(action, post, request.user, form.cleaned_data if form else {})
        except moderation.ModerationRefused as e:
            messages.error(request, e.message)
            return redirect(here)
        except PermissionDenied:
            raise Http404 from None
        messages.success(request, str(DONE[action]))
        return redirect(here)
    if form is None:
        # Approve and restore are not destructive: a button on the post's page.
        raise Http404
    return render(
        request,
        "dialogue/moderation/confirm.html",
        _context(
            request,
            post=post,
            author=moderation.author_label(post),
            action=action,
            title=title,
            button=button,
            form=form,
            back=here,
            scope=moderation.sanction_scope(post),
        ),
    )


@member_required
def thread_lock(request: OrgHttpRequest, thread_uid: UUID) -> HttpResponse:
    thread = get_object_or_404(
        Thread.objects.select_related("space__organization", "space__circle"),
        space__organization=request.organization,
        uid=thread_uid,
    )
    if not thread.space.can_moderate(request.membership):
        raise Http404
    locking = thread.locked_at is None
    if request.method == "POST":
        moderation.lock_set(thread, moderator=request.user, locked=locking)
        messages.success(
            request,
            _("The conversation is locked: it can be read, not replied to.")
            if locking
            else _("The conversation is open for replies again."),
        )
        return redirect(thread.get_absolute_url())
    return render(
        request,
        "dialogue/moderation/lock.html",
        _context(request, thread=thread, locking=locking),
    )


@require_POST
@member_required
def trust_set(request: OrgHttpRequest, post_uid: UUID) -> HttpResponse:
    post = _get_moderated_post(request, post_uid)
    here = reverse(
        "dialogue:moderate_post",
        kwargs={"org": request.organization.slug, "post_uid": post.uid},
    )
    if post.pseudonym_id is not None or post.author is None:
        raise Http404
    form = TrustForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a trust level from 0 to 3."))
        return redirect(here)
    try:
        moderation.trust_set(
            request.organization,
            post.author,
            level=form.cleaned_data["level"],
            moderator=request.user,
            space=post.thread.space,
        )
    except moderation.ModerationRefused as e:
        messages.error(request, e.message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("The trust level is saved."))
    return redirect(here)


# Appeals and sanctions, the moderators' side ------------------------------------------


def _get_appeal(request: OrgHttpRequest, appeal_id: UUID) -> Appeal:
    appeal = get_object_or_404(
        Appeal.objects.select_related(
            "post__thread__space__organization",
            "post__thread__space__circle",
            "post__author",
            "post__pseudonym",
            "sanction__space__circle",
            "sanction__organization",
            "sanction__pseudonym",
            "sanction__user",
        ),
        organization=request.organization,
        pk=appeal_id,
    )
    if not moderation.can_decide(appeal, request.user):
        raise Http404
    return appeal


@member_required
def appeal_decide(request: OrgHttpRequest, appeal_id: UUID) -> HttpResponse:
    appeal = _get_appeal(request, appeal_id)
    form = DecisionForm(request.POST or None)
    if (
        request.method == "POST"
        and appeal.outcome == Appeal.Outcome.OPEN
        and form.is_valid()
    ):
        try:
            moderation.appeal_decide(
                appeal,
                moderator=request.user,
                overturn=form.cleaned_data["outcome"] == "overturned",
                response=form.cleaned_data["response"],
            )
        except moderation.ModerationRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("The appeal is decided; the member was told."))
            return redirect("dialogue:moderation", org=request.organization.slug)
    subject = appeal.sanction
    return render(
        request,
        "dialogue/moderation/appeal_decide.html",
        _context(
            request,
            appeal=appeal,
            form=form,
            sanction=subject,
            post=appeal.post,
            author=moderation.author_label(appeal.post)
            if appeal.post is not None
            else _sanction_target(subject),
            you_acted=moderation.acted_by(appeal) == request.user.pk,
        ),
    )


def _sanction_target(made: Sanction | None) -> str:
    if made is None:
        return ""
    if made.pseudonym is not None:
        return made.pseudonym.handle
    return made.user.name if made.user is not None else _("A former member")


@member_required
def sanction_lift(request: OrgHttpRequest, sanction_id: UUID) -> HttpResponse:
    made = get_object_or_404(
        Sanction.objects.select_related(
            "space__circle", "organization", "pseudonym", "user"
        ),
        organization=request.organization,
        pk=sanction_id,
    )
    if not moderation.can_act_on_sanction(made, request.user):
        raise Http404
    if request.method == "POST":
        try:
            moderation.lift(made, moderator=request.user)
        except moderation.ModerationRefused as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("The sanction is lifted; the member was told."))
        return redirect("dialogue:moderation", org=request.organization.slug)
    return render(
        request,
        "dialogue/moderation/lift.html",
        _context(
            request,
            sanction=made,
            target=_sanction_target(made),
            active=moderation.sanction_is_active(made),
        ),
    )


# Settings and log ----------------------------------------------------------------------


@member_required
def settings_view(request: OrgHttpRequest) -> HttpResponse:
    if not request.membership.is_program_admin:
        raise Http404
    current = language_screen.settings_for(request.organization.pk)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit_record(
            action="dialogue.mod_settings_changed",
            actor=request.user,
            organization=request.organization,
            target=saved,
            data={
                "screen_enabled": saved.screen_enabled,
                "auto_hide_score": saved.auto_hide_score,
                "auto_hide_reporters": saved.auto_hide_reporters,
            },
        )
        messages.success(request, _("The moderation settings are saved."))
        return redirect("dialogue:moderation_settings", org=request.organization.slug)
    return render(
        request,
        "dialogue/moderation/settings.html",
        _context(request, form=form, built_in=language_screen.BUILT_IN_TERMS),
    )


@member_required
def log(request: OrgHttpRequest) -> HttpResponse:
    """The moderation events of the spaces the viewer moderates (and, for program
    admins and facilitators, the organization-wide ones)."""
    _require_queue(request)
    space_ids = list(_moderated_spaces(request).values_list("pk", flat=True))
    events = (
        AuditEvent.objects.for_organization(request.organization)
        .filter(action__startswith="dialogue.mod_")
        .select_related("actor")
    )
    scope = Q(data__space_id__in=space_ids)
    if request.membership.is_program_admin:
        scope |= Q(action="dialogue.mod_settings_changed")
    page = Paginator(events.filter(scope), LOG_PER_PAGE).get_page(
        request.GET.get("page")
    )
    # Rows about safe-space content are dated to the day (audit_record(day_only)):
    # shown as a date, never "00:00".
    safe_ids = set(
        _moderated_spaces(request).filter(is_safe=True).values_list("pk", flat=True)
    )
    rows = [
        (
            event,
            str(ACTION_LABELS.get(event.action, event.action)),
            event.data.get("space_id") in safe_ids,
        )
        for event in page.object_list
    ]
    return render(
        request,
        "dialogue/moderation/log.html",
        _context(request, page=page, rows=rows),
    )


# The members' side ---------------------------------------------------------------------


@member_required
def flag(request: OrgHttpRequest, post_uid: UUID) -> HttpResponse:
    post = _get_visible_post(request, post_uid)
    if (
        post.is_deleted
        or post.state != Post.State.PUBLISHED
        or moderation.is_author(post, request.user)
    ):
        raise Http404
    space = post.thread.space
    if space.can_moderate(request.membership):
        return redirect(
            "dialogue:moderate_post", org=request.organization.slug, post_uid=post.uid
        )
    level = trust.level_in_space(space, request.user)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and level > trust.Level.NEW and form.is_valid():
        try:
            moderation.flag_post(
                post,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                detail=form.cleaned_data["detail"],
            )
        except moderation.ModerationRefused as e:
            messages.info(request, e.message)
        else:
            messages.success(
                request,
                _(
                    "Thank you. The moderators will look at it; nobody learns who flagged it."
                ),
            )
        return redirect(post.thread.get_absolute_url())
    return render(
        request,
        "dialogue/moderation/flag.html",
        _context(
            request,
            post=post,
            author=post.display_author_for(request.user),
            form=form,
            can_flag=level > trust.Level.NEW,
            already=Flag.objects.filter(post=post, reporter=request.user).exists(),
        ),
    )


@member_required
def appeal_post(request: OrgHttpRequest, post_uid: UUID) -> HttpResponse:
    post = _get_visible_post(request, post_uid)
    if not moderation.is_author(post, request.user):
        raise Http404
    appeals = list(post.appeals.order_by("-created_at")[:5])
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.appeal_file(
                user=request.user, post=post, statement=form.cleaned_data["statement"]
            )
        except moderation.ModerationRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(
                request,
                _("Your appeal is with the moderators. You will hear from them."),
            )
            return redirect(request.path)
    return render(
        request,
        "dialogue/moderation/appeal_post.html",
        _context(
            request,
            post=post,
            appeals=appeals,
            open_appeal=any(a.outcome == Appeal.Outcome.OPEN for a in appeals),
            can_appeal=post.state == Post.State.HIDDEN and not post.is_deleted,
            form=form,
        ),
    )


@member_required
def sanction_detail(request: OrgHttpRequest, sanction_id: UUID) -> HttpResponse:
    made = get_object_or_404(
        Sanction.objects.select_related("space", "organization"),
        organization=request.organization,
        pk=sanction_id,
    )
    if not moderation.sanction_for_member(made, request.user):
        raise Http404
    appeals = list(made.appeals.order_by("-created_at")[:5])
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.appeal_file(
                user=request.user,
                sanction=made,
                statement=form.cleaned_data["statement"],
            )
        except moderation.ModerationRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(
                request,
                _("Your appeal is with the moderators. You will hear from them."),
            )
            return redirect(request.path)
    return render(
        request,
        "dialogue/moderation/sanction.html",
        _context(
            request,
            sanction=made,
            active=moderation.sanction_is_active(made),
            appeals=appeals,
            open_appeal=any(a.outcome == Appeal.Outcome.OPEN for a in appeals),
            form=form,
        ),
    )
