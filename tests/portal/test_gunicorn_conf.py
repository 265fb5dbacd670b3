"""portal/gunicorn.conf.py: the production server's settings and hooks."""

import gc
import multiprocessing
import runpy
import sys
from pathlib import Path


def test_stock_gthread_workers_sized_from_the_cpu_count_on_loopback(gunicorn_conf):
    assert gunicorn_conf["workers"] == multiprocessing.cpu_count()
    assert gunicorn_conf["threads"] == 4
    assert gunicorn_conf["worker_class"] == "gthread"  # gunicorn's own; it keeps nginx's connections open
    assert gunicorn_conf["bind"].startswith("127.0.0.1:")
    assert gunicorn_conf["timeout"] < 60  # before nginx's proxy_read_timeout
    assert gunicorn_conf["keepalive"] > 30  # nginx closes its idle upstream connections after 30 s, first


def test_one_thread_is_the_sync_worker(monkeypatch):
    from django.conf import settings

    monkeypatch.setenv("WEB_THREADS", "1")
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "portal" / "gunicorn.conf.py"))
    assert (conf["worker_class"], conf["threads"]) == ("sync", 1)


def test_a_loaded_worker_freezes_the_app(gunicorn_conf):
    gc.unfreeze()
    gunicorn_conf["post_worker_init"](worker=None)  # also starts the writer thread (tests/kb/test_buffer.py)
    assert "kb.views" in sys.modules  # the URLconf and its views are loaded before the freeze
    frozen = gc.get_freeze_count()
    assert frozen > 10_000
    assert len(gc.get_objects(generation=2)) < frozen  # a full collection no longer walks the app
