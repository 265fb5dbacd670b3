"""SMTP servers on loopback addresses that all share one port (like port 25 on real hosts), via aiosmtpd.

127.0.0.10  "realistic": accepts known users of its domains, 550 5.1.1 unknown users, 550 5.7.1 relaying
127.0.0.12  accepts every recipient (250): an open relay / Exchange without recipient filtering
127.0.0.13  answers every recipient 451 4.7.1 (greylisting / verification server unreachable)
127.0.0.14  rejects every recipient 550 5.1.1, even valid ones
127.0.0.15  answers RCPT 421 4.3.2 and closes the connection (a server shutting down)
127.0.0.16  answers every recipient 550 5.7.1 Rejected (a refusal that does not say who was refused)
127.0.0.30  accepts TCP connections and never says a word (stalls)
127.0.0.32  accepts TCP connections and closes them at once, without a greeting
127.0.0.31  nothing listens (connection refused)
Every session is recorded in `commands` per address, to prove DATA is never sent (and nothing after a 421).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

LOCAL_DOMAINS = {"one.test", "acceptall.test", "tempfail.test", "rejectall.test", "closing.test"}
VALID_USERS = {"postmaster", "valid"}


@dataclass
class RcptPolicy:
    name: str
    fixed_reply: str = ""
    log: list[str] = field(default_factory=list)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        self.log.append(f"MAIL FROM:<{address.strip('<>')}>")
        envelope.mail_from = address
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.log.append(f"RCPT TO:<{address}>")
        if self.fixed_reply.startswith("421"):
            asyncio.get_running_loop().call_soon(server.transport.close)  # after the reply is written
        if self.fixed_reply:
            return self.fixed_reply
        local, _, domain = address.lower().rpartition("@")
        if domain not in LOCAL_DOMAINS:
            return "550 5.7.1 Relay access denied"
        if local not in VALID_USERS:
            return "550 5.1.1 User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.log.append("DATA")
        return "554 5.5.1 This test server never takes DATA"

    async def handle_RSET(self, server, session, envelope):  # noqa: N802
        self.log.append("RSET")
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        self.log.append("QUIT")
        return "221 Bye"


POLICIES = {
    "127.0.0.10": "",
    "127.0.0.12": "250 2.1.5 OK",
    "127.0.0.13": "451 4.7.1 Try again later",
    "127.0.0.14": "550 5.1.1 User unknown",
    "127.0.0.15": "421 4.3.2 Service shutting down, closing transmission channel",
    "127.0.0.16": "550 5.7.1 Rejected",
}
STALL = "127.0.0.30"
CLOSED = "127.0.0.31"
HANGUP = "127.0.0.32"


def free_port_on_all(addresses: list[str]) -> int:
    """A port free on every address (bound briefly to check)."""
    for _ in range(50):
        probe = socket.socket()
        probe.bind((addresses[0], 0))
        port = probe.getsockname()[1]
        probe.close()
        try:
            for address in addresses:
                with socket.socket() as other:
                    other.bind((address, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no common free port")


def hang_up(listener: socket.socket) -> None:
    """Accept each connection and close it without a word, until the listener is closed."""
    while True:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        connection.close()


class LoopbackSMTP:
    """All test SMTP servers, started together on one port."""

    def __init__(self) -> None:
        self.port = free_port_on_all([*POLICIES, STALL, CLOSED, HANGUP])
        self.handlers = {address: RcptPolicy(address, reply) for address, reply in POLICIES.items()}
        self.stack = ExitStack()

    def __enter__(self) -> LoopbackSMTP:
        for address, handler in self.handlers.items():
            controller = Controller(handler, hostname=address, port=self.port, server_hostname=f"mx-{address}.test")
            controller.start()
            self.stack.callback(controller.stop)
        stall = socket.socket()
        stall.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        stall.bind((STALL, self.port))
        stall.listen(16)  # connections complete in the backlog; nobody ever accepts or speaks
        self.stack.callback(stall.close)
        hangup = socket.socket()
        hangup.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hangup.bind((HANGUP, self.port))
        hangup.listen(16)
        threading.Thread(target=hang_up, args=(hangup,), daemon=True).start()
        self.stack.callback(hangup.close)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def commands(self) -> defaultdict[str, list[str]]:
        return defaultdict(list, {address: handler.log for address, handler in self.handlers.items()})
