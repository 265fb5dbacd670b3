"""Per-connection database settings from portal/settings.py are in force on every connection, and a database or
cache server that does not answer fails a connection within its timeout instead of holding a request."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

# Reaches the server named by DATABASE_URL or REDIS_URL as a request would; prints the error and the seconds taken.
REACH = """
import sys, time, django
django.setup()
from django.core.cache import cache
from django.db import connection
started = time.monotonic()
try:
    connection.ensure_connection() if sys.argv[1] == "database" else cache.get("anything")
except Exception as exc:
    print(type(exc).__name__, round(time.monotonic() - started, 1))
"""


def reach(what: str, **environ: str) -> tuple[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", REACH, what],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "SECRET_KEY": "test", **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )
    error, seconds = result.stdout.split()
    return error, float(seconds)


def test_a_database_server_that_does_not_answer_fails_the_connection_after_5_seconds(silent_server):
    error, seconds = reach("database", DATABASE_URL=f"postgres://portal@127.0.0.1:{silent_server}/portal")
    assert error == "OperationalError"  # the outage page (portal.views.is_outage), not a hung worker
    assert 4 <= seconds < 10


def test_a_cache_server_that_does_not_answer_fails_the_command_after_2_seconds(silent_server):
    error, seconds = reach("cache", REDIS_URL=f"redis://127.0.0.1:{silent_server}/0")
    assert error == "TimeoutError"  # the outage page too (portal.views.is_outage)
    assert 1.5 <= seconds < 5


@pytest.mark.django_db
def test_connections_are_configured_for_their_database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Search ranks the first matches a scan meets: scans must start at the table's beginning.
            cursor.execute("SHOW synchronize_seqscans")
            assert cursor.fetchone()[0] == "off"
        else:
            cursor.execute("PRAGMA busy_timeout")  # waits for a writer instead of failing at once
            assert cursor.fetchone()[0] == 20_000
