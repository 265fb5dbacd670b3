"""portal/gunicorn.conf.py: the production server's settings and hooks."""

import gc
import multiprocessing
import sys


def test_stock_sync_workers_sized_from_the_cpu_count_on_loopback(gunicorn_conf):
    assert gunicorn_conf["workers"] == 2 * multiprocessing.cpu_count()
    assert gunicorn_conf["threads"] == 1
    assert gunicorn_conf["worker_class"] == "sync"  # gunicorn's own; nginx buffers the clients
    assert gunicorn_conf["bind"].startswith("127.0.0.1:")
    assert gunicorn_conf["timeout"] < 60  # before nginx's proxy_read_timeout


def test_a_loaded_worker_freezes_the_app(gunicorn_conf):
    gc.unfreeze()
    gunicorn_conf["post_worker_init"](worker=None)  # also starts the writer thread (tests/kb/test_buffer.py)
    assert "kb.views" in sys.modules  # the URLconf and its views are loaded before the freeze
    frozen = gc.get_freeze_count()
    assert frozen > 10_000
    assert len(gc.get_objects(generation=2)) < frozen  # a full collection no longer walks the app
