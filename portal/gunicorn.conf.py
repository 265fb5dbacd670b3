"""gunicorn settings for `make serve`: stock gthread workers behind nginx (deploy/nginx.conf), sized from the CPU count.

nginx buffers each client's request and response, so a worker is busy only while Django works: slow or idle
clients (keep-alive, a browser's preconnect) wait on nginx, never on a worker (gunicorn's own deployment advice).
nginx keeps idle HTTP/1.1 connections to gunicorn open (upstream keepalive), which gunicorn's gthread worker
serves; its sync worker closes every connection after one request. Sizes and the reasons: docs/benchmarks.md.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8001")  # loopback (or unix:/path): only nginx talks to gunicorn
# One worker per core, a few threads each: a thread waiting on PostgreSQL or Redis leaves the core to another
# (measured through nginx: docs/benchmarks.md).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", 4))
worker_class = "gthread" if threads > 1 else "sync"  # WEB_THREADS=1: the sync worker, one connection per request
keepalive = 75  # seconds an idle nginx connection stays open; nginx closes its idle ones after 30 s, before this
# A worker whose main loop is stuck this long is replaced; a request stuck in a thread gets nginx's 504 (60 s).
timeout = 30
graceful_timeout = 20
max_requests = 50000
max_requests_jitter = 5000
accesslog = None  # portal.middleware.RequestLogMiddleware writes one JSON line per request; nginx its access log
errorlog = "-"
control_socket_disable = True  # gunicorn's runtime control socket: unused here, and one path per user by default


def worker_exit(server: object, worker: object) -> None:
    """A worker leaving (max_requests, reload, shutdown) writes the view counts and API searches it holds."""
    from kb.buffer import flush_all, stop_flusher

    stop_flusher()
    flush_all()


def post_worker_init(worker: object) -> None:
    """Load the URLconf (and with it every view module), freeze what the worker holds out of the GC's reach, and
    start the thread that writes the buffered view counts and API searches (`kb.buffer`).

    Python's full (generation 2) collection walks every tracked object; in a loaded worker about 100,000 of them are
    modules, classes and functions that are never garbage. Frozen (`gc.freeze()`, one collection at start), a full
    collection walks only what requests left behind, so it does not pause a worker for 100-200 ms under load; new
    cyclic garbage is still collected.
    """
    from django.urls import get_resolver

    from kb.buffer import start_flusher

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf now rather than on the first request
    gc.collect()
    gc.freeze()
    start_flusher()
