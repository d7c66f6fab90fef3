from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.tasks import task_backends
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alongside.organizations.models import Membership


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    memberships = Membership.objects.of_user(request.user).select_related(
        "organization"
    )
    return render(request, "home.html", {"memberships": memberships})


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database answers and the task queue is being worked."""
    checks: dict[str, object] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as e:  # any failure means unhealthy, whatever its type
        checks["database"] = f"error: {type(e).__name__}"
        healthy = False

    checks["tasks"] = _task_queue_health() if healthy else "unknown"
    if checks["tasks"] not in {"ok", "immediate"}:
        healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )


def _task_queue_health() -> str:
    """With the database backend: stalled when a due task has waited longer than
    TASK_QUEUE_STALL_SECONDS, or tasks wait and no worker (`run_worker`'s heartbeat) was
    seen for that long. Two indexed queries at most."""
    backend = type(task_backends["default"])
    backend_path = f"{backend.__module__}.{backend.__name__}"
    if not backend_path.startswith("django_tasks_db"):
        return "immediate"
    from django_tasks_db.models import DBTaskResult

    from alongside.worker.models import WorkerHeartbeat

    now = timezone.now()
    limit = timedelta(seconds=settings.TASK_QUEUE_STALL_SECONDS)
    stale = now - limit
    try:
        ready = DBTaskResult.objects.ready()
        # Due for longer than the limit: enqueued before `stale` and not delayed past it.
        if (
            ready.filter(enqueued_at__lt=stale)
            .exclude(run_after__range=(stale, now))
            .exists()
        ):
            return "stalled: tasks are waiting and no worker is taking them"
        if not WorkerHeartbeat.objects.seen_within(limit).exists() and ready.exists():
            return "stalled: tasks are waiting and no worker has been seen"
    except Exception as e:
        return f"error: {type(e).__name__}"
    return "ok"
