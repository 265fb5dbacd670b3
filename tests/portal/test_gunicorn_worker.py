"""portal.gunicorn_worker.ThreadWorker under a real gunicorn: a worker whose threads are busy leaves new
connections to the idle ones, so simultaneous requests run in parallel on different workers; a connection that
has not sent its request yet does not hold a thread."""

import http.client
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings

WORKERS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pid_after(url: str, seconds: float = 0) -> str:
    with urllib.request.urlopen(f"{url}/?sleep={seconds}", timeout=10) as response:  # noqa: S310 - loopback
        return response.read().decode()


@contextmanager
def gunicorn(workers: int) -> Iterator[str]:
    """gunicorn serving tests.servers.sleepy_wsgi with `workers` single-threaded ThreadWorkers; its base URL."""
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tests.servers.sleepy_wsgi:app", "--bind", url.removeprefix("http://")]
        + ["--workers", str(workers), "--threads", "1", "--worker-class", "portal.gunicorn_worker.ThreadWorker"],
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        seen: set[str] = set()
        deadline = time.monotonic() + 20
        while len(seen) < workers:  # every worker booted and answering
            assert time.monotonic() < deadline, f"only {len(seen)} of {workers} gunicorn workers answered"
            try:
                seen.add(pid_after(url))
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def server():
    with gunicorn(WORKERS) as url:
        yield url


@pytest.fixture
def one_worker():
    with gunicorn(1) as url:
        yield url


def test_simultaneous_slow_requests_are_spread_over_idle_workers(server):
    pids: list[str] = []
    start = threading.Barrier(WORKERS)

    def slow_request() -> None:
        start.wait()
        pids.append(pid_after(server, seconds=1))

    threads = [threading.Thread(target=slow_request) for _ in range(WORKERS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    elapsed = time.monotonic() - began

    assert len(pids) == WORKERS
    assert len(set(pids)) == WORKERS, f"two requests waited on one worker's thread: {pids}"
    assert elapsed < 1.9  # in parallel: one second each, not two or more


def test_a_new_connection_is_served_while_every_thread_is_kept_busy(server):
    """Busy workers still accept, after a short wait: no connection starves behind the kept-alive ones."""
    host, port = server.removeprefix("http://").split(":")
    answered = [0] * (3 * WORKERS)  # three kept-alive connections per single-threaded worker
    stop = time.monotonic() + 2

    def keep_asking(index: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < stop:
            connection.request("GET", "/?sleep=0.02")
            connection.getresponse().read()
            answered[index] += 1
        connection.close()

    threads = [threading.Thread(target=keep_asking, args=(index,)) for index in range(len(answered))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)

    assert min(answered) >= 5, f"requests answered per connection: {answered}"


def test_a_connection_that_has_not_sent_its_request_does_not_hold_the_thread(one_worker):
    """gthread's own thread would wait up to 5 s for each silent connection's first bytes (a browser's preconnect)."""
    host, port = one_worker.removeprefix("http://").split(":")
    silent = [socket.create_connection((host, int(port)), timeout=10) for _ in range(3)]
    try:
        time.sleep(0.3)  # accepted by the only worker
        began = time.monotonic()
        pid = pid_after(one_worker)
        assert time.monotonic() - began < 1, "a request waited behind connections that sent nothing"

        silent[0].sendall(b"GET /?sleep=0 HTTP/1.1\r\nHost: portal\r\nConnection: close\r\n\r\n")
        answer = silent[0].makefile("rb").read()  # a late request on such a connection is still served
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(pid.encode())
    finally:
        for connection in silent:
            connection.close()
