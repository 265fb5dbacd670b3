"""Pytest plugin loaded first (`-p tests.environment`): the environment the suite runs in, before Django starts."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
os.environ.setdefault("HTTPS", "0")  # the test client and live server speak plain HTTP
# Per-process caches and database sessions, whatever the shell exports: tests that need Redis configure it
# themselves (tests/portal/test_auth_backend.py, test_database_outage.py).
os.environ.pop("REDIS_URL", None)
