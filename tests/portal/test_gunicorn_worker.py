"""portal.gunicorn_worker.ThreadWorker under a real gunicorn: a worker whose threads are busy leaves new
connections to the idle ones, so simultaneous requests run in parallel on different workers."""

import http.client
import socket
import subprocess
import sys
import threading
import time
import urllib.request

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


@pytest.fixture
def server():
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tests.servers.sleepy_wsgi:app", "--bind", url.removeprefix("http://")]
        + ["--workers", str(WORKERS), "--threads", "1", "--worker-class", "portal.gunicorn_worker.ThreadWorker"],
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        seen: set[str] = set()
        deadline = time.monotonic() + 20
        while len(seen) < WORKERS:  # every worker booted and answering
            assert time.monotonic() < deadline, f"only {len(seen)} of {WORKERS} gunicorn workers answered"
            try:
                seen.add(pid_after(url))
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


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
