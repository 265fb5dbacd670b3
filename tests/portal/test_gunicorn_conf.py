"""portal/gunicorn.conf.py: the production server's settings and hooks."""

import gc
import multiprocessing
import sys

import pytest


def test_workers_and_threads_are_sized_from_the_cpu_count(gunicorn_conf):
    assert gunicorn_conf["workers"] == 2 * multiprocessing.cpu_count()
    assert gunicorn_conf["threads"] == 1  # threads of one worker share its GIL
    assert gunicorn_conf["worker_class"] == "portal.gunicorn_worker.ThreadWorker"  # gthread, spreading connections


def test_a_loaded_worker_freezes_the_app_and_hands_the_gil_over_sooner(gunicorn_conf):
    gc.unfreeze()
    gunicorn_conf["post_worker_init"](worker=None)  # also starts the writer thread (tests/kb/test_buffer.py)
    assert sys.getswitchinterval() == pytest.approx(0.0005)  # threads hand the GIL over sooner
    assert "kb.views" in sys.modules  # the URLconf and its views are loaded before the freeze
    frozen = gc.get_freeze_count()
    assert frozen > 10_000
    assert len(gc.get_objects(generation=2)) < frozen  # a full collection no longer walks the app
