"""gunicorn's threaded worker, spreading connections over the workers instead of keeping them where they landed.

gunicorn's gthread worker accepts every connection the listening socket offers (up to `worker_connections`) and
queues it on its own threads, even when they are all busy and another worker sits idle (benoitc/gunicorn#3433,
open). A burst of connections then lands on whichever worker woke first: under load we caught 49 of 50 keep-alive
connections on one worker, one core at 100% while the machine was 38% idle (docs/benchmarks.md).

This worker
- accepts at once while one of its threads is free. While all are busy it accepts at most one connection every
  BUSY_ACCEPT_INTERVAL, so that an idle worker takes the next connection first, and yet, when every worker is busy,
  no connection waits in the listen backlog behind the keep-alive connections the workers already serve;
- publishes how many connections it holds (`CONNECTIONS`, shared memory made in gunicorn's arbiter before it
  forks the workers). A worker holding more than the workers' mean plus one takes no new connection and answers
  one of its kept-alive ones with "Connection: close" every SHED_INTERVAL, so its client reconnects to another. A
  burst that landed unevenly (a restart, a load balancer reopening its pool) is spread again within a few
  requests, where kept-alive connections would otherwise stay where they landed.
The hooks are gthread's own methods in the gunicorn version pinned in requirements.txt;
tests/portal/test_gunicorn_worker.py runs the worker under gunicorn.
"""

import time
from multiprocessing.sharedctypes import RawArray
from socket import socket

from gunicorn.workers import gthread

BUSY_ACCEPT_INTERVAL = 0.01  # seconds
SHED_INTERVAL = 0.1  # seconds between two connections a crowded worker sends on (no overshoot, no ping-pong)
SLOTS = 128  # one per live worker, by its number (gunicorn counts the workers it starts) modulo SLOTS
# Per slot: the connections its worker holds, plus one (0: no worker). Inherited by every worker the arbiter forks.
CONNECTIONS = RawArray("i", SLOTS)


def forget(worker: gthread.ThreadWorker) -> None:
    """The arbiter saw `worker` exit (gunicorn.conf.py's child_exit): its connections are gone."""
    CONNECTIONS[worker.age % SLOTS] = 0


class ThreadWorker(gthread.ThreadWorker):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.requests_in_flight = 0  # read and written only by the worker's main thread (poller callbacks)
        self.last_accept = 0.0
        self.last_shed = 0.0
        self.slot = self.age % SLOTS

    def init_process(self) -> None:
        CONNECTIONS[self.slot] = 1  # live, with no connection yet: counted in the mean from now on
        super().init_process()  # the worker's main loop

    def over_share(self) -> bool:
        """Holding more connections than the live workers' mean, plus one (a heuristic: counts move all the time)."""
        CONNECTIONS[self.slot] = self.nr_conns + 1
        live = [count - 1 for count in CONNECTIONS if count]
        return self.nr_conns > sum(live) / len(live) + 1

    def may_accept(self) -> bool:
        if self.over_share():
            return False  # the worker with the fewest connections is never over its share: it takes this one
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

    def handle_request(self, req: object, conn: gthread.TConn) -> bool:
        # In a worker thread. Answered with "Connection: close", the client reconnects, and an over-share worker
        # does not accept it.
        if self.over_share() and time.monotonic() - self.last_shed >= SHED_INTERVAL:
            self.last_shed = time.monotonic()
            req.must_close = True
        return super().handle_request(req, conn)

    def finish_request(self, conn: gthread.TConn, fs: object) -> None:
        self.requests_in_flight -= 1
        super().finish_request(conn, fs)
        CONNECTIONS[self.slot] = self.nr_conns + 1
