"""`/healthz`: is the database reachable, are migrations applied, has a worker been seen in the last minute?

A worker is "seen" when it has run the `heartbeat` task recently. The task keeps itself scheduled
every HEARTBEAT_SECONDS on backends that can defer tasks, and /healthz queues one if none is pending.
"""

import logging
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 20
WORKER_SEEN_WITHIN = timedelta(minutes=1)


def _heartbeats():  # noqa: ANN202 - a django_tasks_db queryset
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=f"{__name__}.heartbeat")


@task
def heartbeat() -> str:
    """Proves a worker is alive; schedules the next beat and drops old ones."""
    _heartbeats().filter(finished_at__lt=timezone.now() - timedelta(hours=1)).delete()
    ensure_heartbeat_scheduled(delay=HEARTBEAT_SECONDS)
    return "beat"


def ensure_heartbeat_scheduled(delay: int = 0) -> None:
    backend = heartbeat.get_backend()
    if not backend.supports_defer or _heartbeats().filter(status=TaskResultStatus.READY).exists():
        return
    heartbeat.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue()


def worker_seen() -> bool:
    return _heartbeats().filter(finished_at__gte=timezone.now() - WORKER_SEEN_WITHIN).exists()


def _is_staff(request: HttpRequest) -> bool:
    """Whether the caller is staff; False when that cannot be known (the session or user needs the database)."""
    try:
        return bool(getattr(request, "user", None) and request.user.is_staff)
    except DatabaseError:
        return False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": False, "migrations": False, "worker": False}
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = True
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        checks["migrations"] = not executor.migration_plan(executor.loader.graph.leaf_nodes())
        if checks["migrations"]:
            checks["worker"] = worker_seen()
            ensure_heartbeat_scheduled()
    except DatabaseError as exc:
        logger.warning("healthz: database check failed: %s", exc)
        answer = {"status": "fail", "checks": checks}
        if _is_staff(request):  # the error text names hosts, users and paths: not for anonymous callers
            answer["error"] = str(exc)[:200]
        return JsonResponse(answer, status=503)
    healthy = all(checks.values())
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503)
