"""Shared fixtures: tasks run immediately, static files need no collectstatic, the real guide on demand.

Diagnostics never leave loopback in tests: unless a test points them at the loopback servers (the `diag`
fixture), they ask a resolver on 127.0.0.1 where nothing answers and reach only configured loopback URLs.
"""

import gc
import runpy
import socket
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings) -> None:
    from django.core.cache import cache

    cache.clear()  # rate-limit counters start at zero in every test
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.KB_VIEW_FLUSH_SECONDS = 0  # write every article view at once
    settings.KB_SEARCH_LOG_FLUSH_SECONDS = 0  # and every API search
    settings.DIAG_NAMESERVERS = "127.0.0.1:9"
    settings.DIAG_FORTIGUARD_URLS = "http://127.0.0.1:9/"
    settings.DIAG_DNSBL_ZONES = "bl.invalid"
    settings.DIAG_URIBL_ZONES = "uri.invalid"
    settings.DIAG_TIMEOUT = "1"
    settings.DIAG_ALLOW_PRIVATE = ""
    settings.DIAG_HELO_NAME = "portal.diag.test"  # whatever this host is called


@pytest.fixture
def guide(db):
    """The real guide shipped with the project, imported; returns the import report."""
    from django.conf import settings

    from kb.importer import import_guide

    return import_guide(settings.GUIDE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def silent_server():
    """A port on loopback whose connections the kernel accepts and nobody ever answers (a hung server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.fixture
def gunicorn_conf(monkeypatch):
    """portal/gunicorn.conf.py's settings and hooks, read as gunicorn reads them (default sizing). Afterwards,
    what `post_worker_init` changed in this process is undone: the GC freeze and the writer thread.
    """
    from django.conf import settings

    from kb.buffer import stop_flusher

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)
    monkeypatch.delenv("BIND", raising=False)
    yield runpy.run_path(str(Path(settings.BASE_DIR) / "portal" / "gunicorn.conf.py"))
    gc.unfreeze()
    stop_flusher()
