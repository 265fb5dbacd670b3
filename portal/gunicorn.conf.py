"""gunicorn settings for `make serve`: workers and threads sized from the CPU count."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", 2))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 50000
max_requests_jitter = 5000
accesslog = None  # portal.middleware.RequestLogMiddleware writes one JSON line per request
errorlog = "-"


def worker_exit(server: object, worker: object) -> None:
    """A worker leaving (max_requests, reload, shutdown) writes the view counts and API searches it holds."""
    from kb.buffer import flush_all

    flush_all()
