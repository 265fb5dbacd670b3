"""portal.gunicorn_worker.ThreadWorker under a real gunicorn: a worker whose threads are busy leaves new
connections to the idle ones, so simultaneous requests run in parallel on different workers; a worker holding more
than its share of kept-alive connections sends some of them on."""

import http.client
import os
import signal
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


def start_gunicorn(workers: int, *options: str) -> tuple[str, subprocess.Popen]:
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tests.servers.sleepy_wsgi:app", "--bind", url.removeprefix("http://")]
        + ["--workers", str(workers), "--threads", "1", "--worker-class", "portal.gunicorn_worker.ThreadWorker"]
        + list(options),
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: set[str] = set()
    deadline = time.monotonic() + 20
    while len(seen) < workers:  # every worker booted and answering
        if time.monotonic() > deadline:
            process.terminate()
            raise AssertionError(f"only {len(seen)} of {workers} gunicorn workers answered")
        try:
            seen.add(pid_after(url))
        except OSError:
            time.sleep(0.1)
    return url, process


@pytest.fixture
def server():
    url, process = start_gunicorn(WORKERS)
    yield url
    process.terminate()
    process.wait(timeout=30)


def worker_pids(arbiter: int) -> set[int]:
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == arbiter:
                        pids.add(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return pids


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


def test_kept_alive_connections_move_from_a_crowded_worker_to_new_ones():
    """Twelve kept-alive connections on one worker; three more workers start (SIGTTIN): the connections spread."""
    url, process = start_gunicorn(1, "--keep-alive", "60")  # the connections wait while the workers start
    try:
        host, port = url.removeprefix("http://").split(":")
        connections = [http.client.HTTPConnection(host, int(port), timeout=10) for _ in range(12)]

        def ask_all() -> list[str]:
            pids = []
            for connection in connections:  # one after another: a closed connection reopens on the next request
                connection.request("GET", "/")
                pids.append(connection.getresponse().read().decode())
            return pids

        assert len(set(ask_all())) == 1
        deadline = time.monotonic() + 30
        while (started := len(worker_pids(process.pid))) < WORKERS:
            assert time.monotonic() < deadline, f"gunicorn started {started} of {WORKERS} workers"
            os.kill(process.pid, signal.SIGTTIN)  # one more worker (signals sent together may count once)
            time.sleep(1)
        time.sleep(1)  # the new workers are up and have published their (empty) counts

        spread_by = time.monotonic() + 5  # a crowded worker sends one connection on every 0.1 s: about 1 s here
        while True:
            pids = ask_all()
            per_worker = sorted((pids.count(pid) for pid in set(pids)), reverse=True)
            if per_worker[0] <= 4 or time.monotonic() > spread_by:
                break
        assert per_worker[0] <= 4, f"connections per worker: {per_worker}"  # none above the mean (3) plus one
        for connection in connections:
            connection.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
