"""Members' pages of threads and posts: starting a thread, a thread's page, following
it, a listening round's phase, editing, deleting, reacting to a post and its permalink.

As in `spaces`, anything the viewer may not see is 404."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.dialogue import (
    listening,
    moderation,
    safespace,
    services,
    thread_page,
    trust,
)
from alongside.dialogue.forms import PostForm, ThreadForm
from alongside.dialogue.models import ListeningPhase, Post, Space, Thread
from alongside.dialogue.views.spaces import context, get_space
from alongside.lib.keyset import keyset_page
from alongside.organizations.access import OrgHttpRequest, member_required

POSTS_PER_PAGE = 20


def _get_thread(request: OrgHttpRequest, thread_uid: UUID) -> Thread:
    thread = get_object_or_404(
        Thread.objects.select_related("space__organization", "space__circle"),
        space__organization=request.organization,
        uid=thread_uid,
    )
    if not thread.space.is_visible_to(request.user):
        raise Http404
    return thread


def _acting_in_safe_space(request: OrgHttpRequest, space: Space) -> None:
    """Posting, reacting and following in a safe space act as the member's pseudonym:
    they need a sign-in or password confirmation in the last ten minutes, so a stolen
    session alone cannot. allauth's middleware keeps the POST, asks for the password,
    then replays it. Reading needs nothing more."""
    if space.is_safe and request.method == "POST":
        safespace.require_recent_authentication(request)


def _get_own_post(request: OrgHttpRequest, post_uid: UUID) -> Post:
    post = get_object_or_404(
        Post.objects.select_related(
            "author",
            "pseudonym",
            "thread__space__organization",
            "thread__space__circle",
        ),
        thread__space__organization=request.organization,
        uid=post_uid,
        deleted_at__isnull=True,
    )
    if not post.thread.space.is_visible_to(request.user):
        raise Http404
    if not post.is_written_by(request.user):
        raise Http404
    return post


def _get_post_for_reaction(request: OrgHttpRequest, post_uid: UUID) -> Post:
    post = get_object_or_404(
        Post.objects.select_related(
            "author",
            "pseudonym",
            "thread__space__organization",
            "thread__space__circle",
        ),
        thread__space__organization=request.organization,
        uid=post_uid,
        deleted_at__isnull=True,
        state=Post.State.PUBLISHED,
    )
    if not post.thread.space.can_post(request.user):
        raise Http404
    return post


def _refused(
    request: OrgHttpRequest, e: trust.PostingRefused, body: str, back: str
) -> HttpResponse | None:
    """A rate limit answers 429 with Retry-After (the text kept to copy); other
    refusals (a gate, a duplicate, a sanction, a lock) go back to the form (None)."""
    if not isinstance(e, trust.RateLimited):
        return None
    response = render(
        request,
        "dialogue/moderation/rate_limited.html",
        context(request, message=e.message, body=body, back=back),
        status=429,
    )
    response["Retry-After"] = str(e.retry_after)
    return response


def _posted_message(request: OrgHttpRequest, post: Post, done: str) -> None:
    if post.state == Post.State.HELD:
        messages.info(request, moderation.held_message(post.held_because))
    else:
        messages.success(request, done)


def _post_url(post: Post) -> str:
    """The thread page that shows `post` (it starts right after the post before it)."""
    url = post.thread.get_absolute_url()
    # The cursor is the previous post's random uid (alongside/lib/keyset.py): never a time or an id.
    previous = (
        Post.objects.filter(thread_id=post.thread_id)
        .filter(
            Q(created_at__lt=post.created_at)
            | Q(created_at=post.created_at, id__lt=post.pk)
        )
        .order_by("-created_at", "-id")
        .values_list("uid", flat=True)
        .first()
    )
    if previous is not None:
        url += "?" + urlencode({"after": str(previous)})
    return f"{url}#post-{post.uid}"


def _guidelines_url(space: Space, next_url: str) -> str:
    url = reverse(
        "dialogue:guidelines",
        kwargs={"org": space.organization.slug, "space_id": space.pk},
    )
    return f"{url}?{urlencode({'next': next_url})}"


@member_required
def thread_create(request: OrgHttpRequest, space_id: int) -> HttpResponse:
    space = get_space(request, space_id)
    if not space.can_post(request.user):
        raise Http404
    if not space.has_accepted_guidelines(request.user):
        return redirect(_guidelines_url(space, request.path))
    # ?round=1: a listening circle's facilitator opens a listening round.
    listening_round = request.GET.get("round") == "1" and listening.can_run_round(
        space, request.user
    )
    _acting_in_safe_space(request, space)
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.thread_start(
                space=space,
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                listening_round=listening_round,
            )
        except services.GuidelinesNotAccepted:
            return redirect(_guidelines_url(space, request.path))
        except trust.PostingRefused as e:
            response = _refused(request, e, form.cleaned_data["body"], request.path)
            if response is not None:
                return response
            form.add_error(None, e.message)
        else:
            _posted_message(
                request,
                post,
                _("The listening round is open for stories.")
                if listening_round
                else _("Your conversation has started."),
            )
            return redirect(post.thread.get_absolute_url())
    return render(
        request,
        "dialogue/thread_form.html",
        context(
            request,
            form=form,
            space=space,
            listening_round=listening_round,
            my_pseudonym=moderation.pseudonym_of(space, request.user),
        ),
    )


@require_POST
@member_required
def listening_phase(request: OrgHttpRequest, thread_uid: UUID) -> HttpResponse:
    """A facilitator moves a listening round on: sharing → reflecting → closed."""
    thread = _get_thread(request, thread_uid)
    if not thread.phase or not listening.can_run_round(thread.space, request.user):
        raise Http404
    phase = request.POST.get("phase", "")
    try:
        listening.round_phase_set(thread, user=request.user, phase=phase)
    except PermissionDenied:
        messages.error(request, _("A round moves one step at a time and never back."))
    else:
        messages.success(
            request,
            _("Reflections are open.")
            if phase == ListeningPhase.REFLECTING
            else _("The round is closed."),
        )
    return redirect(thread.get_absolute_url())


@member_required
def thread_detail(request: OrgHttpRequest, thread_uid: UUID) -> HttpResponse:
    thread = _get_thread(request, thread_uid)
    space = thread.space
    can_post = space.can_post(request.user)
    accepted = can_post and space.has_accepted_guidelines(request.user)
    form = PostForm(request.POST or None)
    if request.method == "POST":
        if not can_post:
            raise Http404
        if not accepted:
            return redirect(_guidelines_url(space, request.path))
        _acting_in_safe_space(request, space)
        if form.is_valid():
            try:
                post = services.reply(
                    thread=thread, author=request.user, body=form.cleaned_data["body"]
                )
            except listening.RoundClosed:
                messages.error(request, _("This listening round is closed."))
                return redirect(thread.get_absolute_url())
            except trust.PostingRefused as e:
                response = _refused(
                    request, e, form.cleaned_data["body"], thread.get_absolute_url()
                )
                if response is not None:
                    return response
                form.add_error(None, e.message)
            else:
                _posted_message(request, post, _("Your reply is posted."))
                return redirect(_post_url(post))
    is_moderator = space.can_moderate(request.membership)
    can_request_reveal = space.is_safe and request.membership.is_program_admin
    mine = moderation.pseudonym_of(space, request.user)
    page = keyset_page(
        thread.posts.visible_in_thread_to(
            request.user,
            moderator=is_moderator,
            pseudonym=mine,
        ).select_related("author", "pseudonym"),
        field="created_at",
        cursor=request.GET.get("after"),
        per_page=POSTS_PER_PAGE,
        scope=thread.posts.all(),
    )
    return render(
        request,
        "dialogue/thread_detail.html",
        context(
            request,
            thread=thread,
            space=space,
            page=page,
            rows=thread_page.post_rows(
                page.items,
                request.user,
                org_slug=request.organization.slug,
                safe=space.is_safe,
                pseudonym=mine,
                moderator=is_moderator,
                can_request_reveal=can_request_reveal,
            ),
            can_post=can_post,
            accepted=accepted,
            form=form,
            following=services.is_following(thread, request.user),
            my_pseudonym=mine,
            can_request_reveal=can_request_reveal,
            runs_round=bool(thread.phase)
            and listening.can_run_round(space, request.user),
            next_phase=listening.NEXT_PHASE.get(ListeningPhase(thread.phase))
            if thread.phase
            else None,
            is_moderator=is_moderator,
            sanction=moderation.active_sanction(space, request.user)
            if can_post
            else None,
        ),
    )


@require_POST
@member_required
def follow(request: OrgHttpRequest, thread_uid: UUID) -> HttpResponse:
    thread = _get_thread(request, thread_uid)
    _acting_in_safe_space(request, thread.space)
    on = request.POST.get("follow") == "on"
    services.subscription_set(thread, user=request.user, on=on)
    messages.success(
        request,
        _("You follow this conversation.")
        if on
        else _("You no longer follow this conversation."),
    )
    return redirect(thread.get_absolute_url())


@member_required
def post_edit(request: OrgHttpRequest, post_uid: UUID) -> HttpResponse:
    post = _get_own_post(request, post_uid)
    _acting_in_safe_space(request, post.thread.space)
    form = PostForm(request.POST or None, instance=Post.objects.get(pk=post.pk))
    form.fields["body"].label = _("Your message")
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(post, user=request.user, body=form.cleaned_data["body"])
        except trust.PostingRefused as e:
            form.add_error("body", e.message)
        else:
            messages.success(request, _("Your post is saved."))
            return redirect(_post_url(post))
    return render(
        request, "dialogue/post_edit.html", context(request, form=form, post=post)
    )


@member_required
def post_delete(request: OrgHttpRequest, post_uid: UUID) -> HttpResponse:
    post = _get_own_post(request, post_uid)
    _acting_in_safe_space(request, post.thread.space)
    if request.method == "POST":
        services.post_delete(post, user=request.user)
        messages.success(request, _("Your post is deleted."))
        return redirect(_post_url(post))
    return render(request, "dialogue/post_delete.html", context(request, post=post))


@member_required
def post_permalink(request: OrgHttpRequest, post_uid: UUID) -> HttpResponse:
    """The page of its thread that shows the post (links from search results)."""
    post = get_object_or_404(
        Post.objects.select_related(
            "thread__space__organization", "thread__space__circle"
        ),
        thread__space__organization=request.organization,
        uid=post_uid,
    )
    if not post.thread.space.is_visible_to(request.user):
        raise Http404
    return redirect(_post_url(post))


@require_POST
@member_required
def react(request: OrgHttpRequest, post_uid: UUID) -> HttpResponse:
    post = _get_post_for_reaction(request, post_uid)
    if (
        request.htmx
        and post.thread.space.is_safe
        and not safespace.recently_authenticated(request)
    ):
        # htmx would swap the password page into the reaction bar: send the whole
        # page there instead, coming back to the post afterwards.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = (
            reverse("account_reauthenticate")
            + "?"
            + urlencode({"next": _post_url(post)})
        )
        return response
    _acting_in_safe_space(request, post.thread.space)
    kind, _sep, on = request.POST.get("reaction", "").partition(":")
    try:
        services.reaction_set(
            post,
            user=request.user,
            # The pressed button's value: "<kind>:1" adds, "<kind>:0" takes back.
            kind=kind,
            on=on == "1",
        )
    except moderation.Sanctioned as e:
        messages.error(request, e.message)
        return redirect(_post_url(post))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError:
        messages.error(request, _("Unknown reaction."))
        return redirect(_post_url(post))
    if request.htmx:
        space = post.thread.space
        row = thread_page.single_row(
            post,
            request.user,
            org_slug=request.organization.slug,
            safe=space.is_safe,
            pseudonym=moderation.pseudonym_of(space, request.user),
        )
        return render(
            request,
            "dialogue/thread_detail.html#reactions",
            context(request, row=row, can_post=True),
        )
    return redirect(_post_url(post))
