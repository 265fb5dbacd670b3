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


@pytest.fixture
def broken_migration_table(monkeypatch):
    """The database answers, but reading the migration history fails with a message naming internals."""
    from django.db.migrations.recorder import MigrationRecorder
    from django.db.utils import ProgrammingError

    def fail(self):
        raise ProgrammingError('relation "django_migrations" does not exist (host db.internal, user portal_rw)')

    monkeypatch.setattr(MigrationRecorder, "applied_migrations", fail)


def test_database_errors_are_not_shown_to_anonymous_callers(client, broken_migration_table, caplog):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "checks": {"database": True, "migrations": False, "worker": False}}
    assert "db.internal" not in response.content.decode()
    assert any("db.internal" in record.getMessage() for record in caplog.records)  # the logs keep the details


def test_staff_see_the_database_error(client, broken_migration_table, django_user_model):
    client.force_login(django_user_model.objects.create_user("ops", is_staff=True))
    response = client.get("/healthz")
    assert response.status_code == 503 and "db.internal" in response.json()["error"]
    client.force_login(django_user_model.objects.create_user("someone"))
    assert "error" not in client.get("/healthz").json()
