from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.circles.models import Circle, CircleMembership
from alongside.dialogue import listening, moderation, rows, safespace, services, trust
from alongside.dialogue.forms import PostForm, SpaceCreateForm, SpaceForm, ThreadForm
from alongside.dialogue.keyset import keyset_page
from alongside.dialogue.models import (
    DigestSubscription,
    ListeningPhase,
    Post,
    Space,
    Thread,
)
from alongside.dialogue.search import MAX_QUERY_LENGTH, search_posts
from alongside.lib.pagination import paginate
from alongside.organizations.access import OrgHttpRequest, member_required

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 20
SEARCH_RESULTS_PER_PAGE = 20


def _context(request: OrgHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "organization": request.organization,
        "membership": request.membership,
        **extra,
    }


# The doors: every object is loaded within the organization, then checked against the
# space's rules. Anything the viewer may not see is 404, as if it did not exist.


def _get_space(request: OrgHttpRequest, space_id: int) -> Space:
    space = get_object_or_404(
        Space.objects.select_related("organization", "circle"),
        organization=request.organization,
        pk=space_id,
    )
    if not space.is_visible_to(request.user):
        raise Http404
    return space


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
        _context(request, message=e.message, body=body, back=back),
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
    # The cursor is the previous post's random uid (keyset.py): never a time or an id.
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


# Spaces -------------------------------------------------------------------------------


def _circles_facilitated(request: OrgHttpRequest) -> list[Circle]:
    return list(
        Circle.objects.for_organization(request.organization)
        .active()
        .filter(
            pk__in=CircleMembership.objects.facilitators()
            .filter(user=request.user)
            .values("circle_id")
        )
    )


@member_required
def spaces(request: OrgHttpRequest) -> HttpResponse:
    visible = (
        Space.objects.visible_to(request.user, request.organization)
        .select_related("circle")
        .order_by("circle__name", "name", "id")
    )
    can_create = request.membership.is_program_admin or bool(
        _circles_facilitated(request)
    )
    return render(
        request,
        "dialogue/spaces.html",
        _context(
            request,
            page=paginate(request, visible),
            can_create=can_create,
            moderates=moderation.moderates_anything(request.membership),
        ),
    )


@member_required
def space_create(request: OrgHttpRequest) -> HttpResponse:
    circles = _circles_facilitated(request)
    whole = request.membership.is_program_admin
    if not whole and not circles:
        raise Http404
    form = SpaceCreateForm(
        request.POST or None, circles=circles, whole_organization=whole
    )
    if request.method == "POST" and form.is_valid():
        space = services.space_create(
            organization=request.organization,
            membership=request.membership,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            guidelines=form.cleaned_data["guidelines"],
            circle=form.chosen_circle(),
            is_safe=form.cleaned_data["is_safe"],
        )
        messages.success(request, _("The space is open."))
        return redirect(space.get_absolute_url())
    return render(request, "dialogue/space_form.html", _context(request, form=form))


@member_required
def space_edit(request: OrgHttpRequest, space_id: int) -> HttpResponse:
    space = _get_space(request, space_id)
    if not space.can_manage(request.membership):
        raise Http404
    form = SpaceForm(request.POST or None, instance=space)
    if request.method == "POST" and form.is_valid():
        services.space_update(
            Space.objects.get(pk=space.pk),
            actor=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            guidelines=form.cleaned_data["guidelines"],
            material_change=form.cleaned_data["material_change"],
        )
        messages.success(request, _("The space is saved."))
        return redirect(space.get_absolute_url())
    return render(
        request, "dialogue/space_form.html", _context(request, form=form, space=space)
    )


@member_required
def space_detail(request: OrgHttpRequest, space_id: int) -> HttpResponse:
    space = _get_space(request, space_id)
    mine = (
        safespace.pseudonym_for(space, request.user, create=False)
        if space.is_safe
        else None
    )
    page = keyset_page(
        space.threads.listed_for(request.user, mine),
        field="last_posted_at",
        cursor=request.GET.get("after"),
        per_page=THREADS_PER_PAGE,
        descending=True,
    )
    return render(
        request,
        "dialogue/space_detail.html",
        _context(
            request,
            space=space,
            page=page,
            can_post=space.can_post(request.user),
            can_manage=space.can_manage(request.membership),
            can_run_rounds=listening.can_run_round(space, request.user),
            my_pseudonym=moderation.pseudonym_of(space, request.user),
            has_digest=DigestSubscription.objects.filter(
                space=space, user=request.user
            ).exists(),
        ),
    )


@member_required
def guidelines(request: OrgHttpRequest, space_id: int) -> HttpResponse:
    space = _get_space(request, space_id)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not next_url.startswith("/"):
        next_url = space.get_absolute_url()
    can_post = space.can_post(request.user)
    if request.method == "POST":
        if not can_post:
            raise Http404
        services.guidelines_accept(space, request.user)
        messages.success(request, _("Thank you. You can post in this space."))
        return redirect(next_url)
    return render(
        request,
        "dialogue/guidelines.html",
        _context(
            request,
            space=space,
            next_url=next_url,
            can_post=can_post,
            accepted=space.has_accepted_guidelines(request.user),
        ),
    )


@require_POST
@member_required
def digest(request: OrgHttpRequest, space_id: int) -> HttpResponse:
    space = _get_space(request, space_id)
    on = request.POST.get("digest") == "on"
    services.digest_set(space, user=request.user, on=on)
    messages.success(
        request,
        _("You will get a daily email of new posts here.")
        if on
        else _("You will get an email for each new post in threads you follow."),
    )
    return redirect(space.get_absolute_url())


# Threads and posts --------------------------------------------------------------------


@member_required
def thread_create(request: OrgHttpRequest, space_id: int) -> HttpResponse:
    space = _get_space(request, space_id)
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
        _context(
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
        _context(
            request,
            thread=thread,
            space=space,
            page=page,
            rows=rows.post_rows(
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
        request, "dialogue/post_edit.html", _context(request, form=form, post=post)
    )


@member_required
def post_delete(request: OrgHttpRequest, post_uid: UUID) -> HttpResponse:
    post = _get_own_post(request, post_uid)
    _acting_in_safe_space(request, post.thread.space)
    if request.method == "POST":
        services.post_delete(post, user=request.user)
        messages.success(request, _("Your post is deleted."))
        return redirect(_post_url(post))
    return render(request, "dialogue/post_delete.html", _context(request, post=post))


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


@member_required
def search(request: OrgHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    page = None
    results: list[tuple[Post, str]] = []
    if query:
        page = keyset_page(
            search_posts(query, viewer=request.user, organization=request.organization)
            .select_related("author", "pseudonym", "thread__space")
            .annotate(day=TruncDate("created_at")),
            # By day, then at random (uid) within a day: pseudonymous posts are
            # never placed in exact time order among timed ones.
            field="day",
            tiebreak="uid",
            cursor=request.GET.get("after"),
            per_page=SEARCH_RESULTS_PER_PAGE,
            descending=True,
        )
        results = [(p, p.display_author_for(request.user)) for p in page.items]
    return render(
        request,
        "dialogue/search.html",
        _context(
            request,
            query=query,
            page=page,
            results=results,
            max_length=MAX_QUERY_LENGTH,
        ),
    )


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
        row = rows.single_row(
            post,
            request.user,
            org_slug=request.organization.slug,
            safe=space.is_safe,
            pseudonym=moderation.pseudonym_of(space, request.user),
        )
        return render(
            request,
            "dialogue/thread_detail.html#reactions",
            _context(request, row=row, can_post=True),
        )
    return redirect(_post_url(post))
