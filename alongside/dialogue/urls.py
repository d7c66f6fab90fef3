from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from django.urls import path as _path
from django.utils.cache import patch_cache_control

from alongside.dialogue.views import moderation as mod
from alongside.dialogue.views import reveal, spaces, threads

app_name = "dialogue"


def _no_store(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every page here may show safe-space content (a thread, a search hit, the
    moderation queue): `Cache-Control: private, no-store`, so no shared cache or
    browser cache keeps a copy that could be read later or matched to a visit."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapper


def path(
    route: str, view: Callable[..., HttpResponse], *args: Any, **kwargs: Any
) -> URLPattern:
    return _path(route, _no_store(view), *args, **kwargs)


_S = "o/<slug:org>/spaces"
_ONE = f"{_S}/<int:space_id>"
_T = "o/<slug:org>/threads/<uuid:thread_uid>"
_P = "o/<slug:org>/posts/<uuid:post_uid>"
_M = "o/<slug:org>/moderation"

urlpatterns = [
    path(f"{_S}/", spaces.spaces, name="spaces"),
    path(f"{_S}/new/", spaces.space_create, name="space_create"),
    path(f"{_S}/search/", spaces.search, name="search"),
    path(f"{_ONE}/", spaces.space_detail, name="space"),
    path(f"{_ONE}/edit/", spaces.space_edit, name="space_edit"),
    path(f"{_ONE}/guidelines/", spaces.guidelines, name="guidelines"),
    path(f"{_ONE}/digest/", spaces.digest, name="digest"),
    path(f"{_ONE}/new/", threads.thread_create, name="thread_create"),
    path(f"{_T}/", threads.thread_detail, name="thread"),
    path(f"{_T}/follow/", threads.follow, name="follow"),
    path(f"{_T}/phase/", threads.listening_phase, name="listening_phase"),
    path(f"{_P}/", threads.post_permalink, name="post"),
    path(f"{_P}/edit/", threads.post_edit, name="post_edit"),
    path(f"{_P}/delete/", threads.post_delete, name="post_delete"),
    path(f"{_P}/react/", threads.react, name="react"),
    path(f"{_P}/flag/", mod.flag, name="flag"),
    # Break-glass reveal of a safe-space pseudonym (views/reveal.py)
    path(f"{_P}/reveal/", reveal.reveal_request, name="reveal_request"),
    path("o/<slug:org>/reveals/", reveal.reveal_list, name="reveals"),
    path(
        "o/<slug:org>/reveals/<uuid:reveal_id>/",
        reveal.reveal_detail,
        name="reveal",
    ),
    path(
        "o/<slug:org>/reveals/<uuid:reveal_id>/decide/",
        reveal.reveal_decide,
        name="reveal_decide",
    ),
    path(f"{_P}/appeal/", mod.appeal_post, name="appeal_post"),
    path(
        "o/<slug:org>/sanctions/<uuid:sanction_id>/",
        mod.sanction_detail,
        name="sanction",
    ),
    # Moderation (views/moderation.py)
    path(f"{_M}/", mod.queue, name="moderation"),
    path(f"{_M}/log/", mod.log, name="moderation_log"),
    path(f"{_M}/settings/", mod.settings_view, name="moderation_settings"),
    path(f"{_M}/posts/<uuid:post_uid>/", mod.moderate_post, name="moderate_post"),
    path(f"{_M}/posts/<uuid:post_uid>/trust/", mod.trust_set, name="moderate_trust"),
    *(
        path(
            f"{_M}/posts/<uuid:post_uid>/{action}/",
            mod.post_act,
            {"action": action},
            name=f"moderate_{action}",
        )
        for action in mod.ACTIONS
    ),
    path(f"{_M}/threads/<uuid:thread_uid>/lock/", mod.thread_lock, name="thread_lock"),
    path(f"{_M}/appeals/<uuid:appeal_id>/", mod.appeal_decide, name="appeal"),
    path(
        f"{_M}/sanctions/<uuid:sanction_id>/lift/",
        mod.sanction_lift,
        name="sanction_lift",
    ),
]
