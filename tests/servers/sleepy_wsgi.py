"""A WSGI app for gunicorn worker tests: `/?sleep=SECONDS` waits, then answers with the worker's process id."""

import os
import time
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs


def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
    seconds = float(parse_qs(environ.get("QUERY_STRING", "")).get("sleep", ["0"])[0])
    time.sleep(min(seconds, 5))
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
