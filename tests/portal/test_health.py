"""/healthz reports the database, migrations and a live worker."""

import pytest
from django.core.management import call_command

from portal.health import heartbeat

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_no_worker_seen_is_a_503_that_queues_a_heartbeat(client, database_tasks):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "checks": {"database": True, "migrations": True, "worker": False}}
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path="portal.health.heartbeat", status="READY").count() == 1
    client.get("/healthz")
    assert DBTaskResult.objects.filter(task_path="portal.health.heartbeat").count() == 1  # not queued twice


def test_a_worker_running_the_heartbeat_makes_it_healthy(client, database_tasks):
    client.get("/healthz")
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]


def test_heartbeat_schedules_the_next_one(database_tasks):
    from django_tasks_db.models import DBTaskResult

    heartbeat.call()
    pending = DBTaskResult.objects.get(task_path="portal.health.heartbeat", status="READY")
    assert pending.run_after > pending.enqueued_at
