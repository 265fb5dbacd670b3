"""gunicorn's threaded worker, leaving new connections to idle workers while its own threads are busy, and
connections that have not sent a request to the poller.

gunicorn's gthread worker accepts every connection the listening socket offers (up to `worker_connections`) and
queues it on its own threads, even when they are all busy and another worker sits idle (benoitc/gunicorn#3433,
open). A burst of connections then lands on whichever worker woke first: under load we caught 49 of 50 keep-alive
connections on one worker, one core at 100% while the machine was 38% idle (docs/benchmarks.md).

This worker accepts at once while one of its threads is free. While all are busy it accepts at most one connection
every BUSY_ACCEPT_INTERVAL, so that an idle worker takes the next connection first, and yet, when every worker is
busy, no connection waits in the listen backlog behind the keep-alive connections the workers already serve.

A second change: gthread's request thread waits up to 5 s for a new connection's first bytes before it hands the
connection to the poller. With one request thread per worker (portal/gunicorn.conf.py) a client that connects and
waits (a browser's preconnect, a person's think time in scripts/loadtest) held the whole worker meanwhile. This
worker waits FIRST_BYTES_WAIT, time enough for a request sent right after the handshake (while the thread waits, the
worker counts as busy, so the connections behind it go to other workers); a connection still silent then goes to
the poller, gthread's own path after its wait, and comes back to a thread when its request arrives.

The hooks are gthread's own methods in the gunicorn version pinned in requirements.txt;
tests/portal/test_gunicorn_worker.py runs the worker under gunicorn.
"""

import time
from socket import socket

from gunicorn.workers import gthread

BUSY_ACCEPT_INTERVAL = 0.01  # seconds
FIRST_BYTES_WAIT = 0.01  # seconds a request thread waits for a new connection's request (gthread: 5 s)


class ThreadWorker(gthread.ThreadWorker):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.requests_in_flight = 0  # read and written only by the worker's main thread (poller callbacks)
        self.last_accept = 0.0

    def may_accept(self) -> bool:
        free_thread = self.requests_in_flight < self.cfg.threads
        return free_thread or time.monotonic() - self.last_accept >= BUSY_ACCEPT_INTERVAL

    def set_accept_enabled(self, enabled: bool) -> None:
        # gthread's run loop asks for accepting on every turn while it is off and the worker is under
        # worker_connections; a turn comes with every finished request, or after a second at the latest.
        super().set_accept_enabled(enabled and self.may_accept())

    def accept(self, listener: socket) -> None:
        self.last_accept = time.monotonic()
        super().accept(listener)
        if not self.may_accept():
            self.set_accept_enabled(False)

    def enqueue_req(self, conn: gthread.TConn) -> None:
        self.requests_in_flight += 1
        super().enqueue_req(conn)

    def finish_request(self, conn: gthread.TConn, fs: object) -> None:
        self.requests_in_flight -= 1
        super().finish_request(conn, fs)

    def handle(self, conn: gthread.TConn) -> object:
        if not conn.initialized and not conn.wait_for_data(FIRST_BYTES_WAIT):  # a new connection, still silent
            return gthread._DEFER  # to the poller, which hands it back once readable (data_ready)
        return super().handle(conn)
