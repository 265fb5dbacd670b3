"""gunicorn settings for `make serve`: workers and threads sized from the CPU count."""

import gc
import multiprocessing
import os
import sys

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Two workers per core: measured ahead of 2 x CPUs + 1 on a 2-core machine (docs/benchmarks.md).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
# One request thread per worker: the threads of one process share the GIL, and handing it between them cost a
# worker about a fifth more CPU per request; 4 x 1 served 4-47% more API requests than 4 x 2 in each of five
# interleaved pairs (docs/benchmarks.md). Raise it when requests mostly wait, e.g. on a database across the network.
threads = int(os.environ.get("WEB_THREADS", 1))
worker_class = "portal.gunicorn_worker.ThreadWorker"  # gthread, leaving new connections to idle workers
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 50000
max_requests_jitter = 5000
accesslog = None  # portal.middleware.RequestLogMiddleware writes one JSON line per request
errorlog = "-"
# How long a thread may keep the GIL while another waits for it (Python's default: 5 ms); see post_worker_init
GIL_SWITCH_INTERVAL = 0.0005  # seconds


def worker_exit(server: object, worker: object) -> None:
    """A worker leaving (max_requests, reload, shutdown) writes the view counts and API searches it holds."""
    from kb.buffer import flush_all, stop_flusher

    stop_flusher()
    flush_all()


def post_worker_init(worker: object) -> None:
    """Load the URLconf (and with it every view module), then freeze what the worker holds out of the GC's reach.

    Python's full (generation 2) collection walks every tracked object; in a loaded worker about 100,000 of them are
    modules, classes and functions that are never garbage. Walking them paused a worker for 100-200 ms under load,
    a few times a minute, and every request it held waited (docs/benchmarks.md). Frozen (`gc.freeze()`), a full
    collection walks only what requests left behind; new cyclic garbage is still collected.

    A request gives up the GIL at every socket call (the client, Redis, PostgreSQL) and must win it back from the
    worker's other threads (request threads, gthread's connection poller, the buffer writer), which keep it for up
    to Python's switch interval, 5 ms by default: under load a request that waited so at each of its round trips
    ended up among the slowest. At 0.5 ms the tail shortened in every interleaved run with two request threads
    (`/api/search` p99 78-109 ms against 104-131); with one, the p99 without a session stayed at 56-78 ms against
    113-129 (docs/benchmarks.md).

    Last, it starts the thread that writes the buffered view counts and API searches (`kb.buffer`), so that no
    request waits for those writes.
    """
    from django.urls import get_resolver

    from kb.buffer import start_flusher

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf now rather than on the first request
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    start_flusher()
