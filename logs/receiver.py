"""A syslog receiver feeding the log analysis continuously (`manage.py syslog_receiver`).

UDP: one message per datagram. TCP: RFC 6587 framing, octet counting (`123 <187>...`) or newline-terminated
(non-transparent framing), told apart per message by its first byte (a digit starts an octet count). Messages
carry RFC 3164 or RFC 5424 headers; the parser strips them (`logs.parse.strip_prefix`).

Only senders on the allowlist (IP addresses) are read; others are dropped and counted. Messages wait in a bounded
queue; when it is full, UDP messages are dropped and counted, and TCP senders are held back (they stop being read,
so TCP's flow control slows the device) for up to TCP_WAIT seconds before a message is dropped: nothing is
buffered without bound. One worker thread
takes them in batches and feeds one `Analysis`, whose result is written to a LogAnalysis row every few seconds.
"""

from __future__ import annotations

import ipaddress
import logging
import queue
import socket
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from logs.analysis import Analysis, Matcher

logger = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024  # bytes per syslog message (longer TCP frames are dropped and counted)
QUEUE_SIZE = 200_000
BATCH = 500  # messages analysed at a time (small: the intake threads get the interpreter between batches)
SWITCH_INTERVAL = 0.0005  # seconds
UDP_BUFFER = 64 << 20  # bytes of kernel receive buffer asked for (about 3 s of 20,000 lines/s)
TCP_WAIT = 5.0  # seconds a TCP sender is held back by a full queue before its message is dropped


@dataclass
class Counters:
    received: int = 0
    analysed: int = 0
    dropped_full: int = 0
    dropped_sender: int = 0
    dropped_frame: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, count: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + count)


def parse_address(value: str) -> tuple[str, int]:
    """`127.0.0.1:5514` or `[::1]:5514` -> (host, port)."""
    host, _, port = value.rpartition(":")
    host = host.strip("[]")
    ipaddress.ip_address(host)  # ValueError when not an IP address
    number = int(port) if port.isascii() and port.isdigit() else -1
    if not 0 <= number <= 65535:
        raise ValueError(f"Not a port: {port!r}")
    return host, number


class Allowlist:
    def __init__(self, entries: Iterable[str]) -> None:
        self.networks = [ipaddress.ip_network(entry, strict=False) for entry in entries]

    def allows(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)


class Receiver:
    """Listens on UDP and/or TCP, queues allowed messages, analyses them in a worker thread."""

    def __init__(
        self,
        matcher: Matcher,
        allow: Iterable[str],
        *,
        udp: tuple[str, int] | None = None,
        tcp: tuple[str, int] | None = None,
        queue_size: int = QUEUE_SIZE,
        on_flush: object = None,
    ) -> None:
        self.analysis = Analysis(matcher)
        self.allowlist = Allowlist(allow)
        self.queue: queue.Queue[bytes] = queue.Queue(maxsize=queue_size)
        self.counters = Counters()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.sockets: list[socket.socket] = []
        self.on_flush = on_flush
        self.analysis_lock = threading.Lock()
        if udp:
            self.udp = self._bind(socket.SOCK_DGRAM, udp)
            self._grow_receive_buffer(self.udp)
        else:
            self.udp = None
        self.tcp = self._bind(socket.SOCK_STREAM, tcp) if tcp else None
        if self.tcp:
            self.tcp.listen(64)

    @staticmethod
    def _grow_receive_buffer(sock: socket.socket) -> None:
        """A large kernel buffer absorbs bursts while the analysis holds the interpreter. SO_RCVBUF is capped by
        net.core.rmem_max; SO_RCVBUFFORCE (Linux, CAP_NET_ADMIN) is not, so it is tried first."""
        force = getattr(socket, "SO_RCVBUFFORCE", None)
        try:
            if force is None:
                raise PermissionError
            sock.setsockopt(socket.SOL_SOCKET, force, UDP_BUFFER)
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_BUFFER)

    def _bind(self, kind: int, address: tuple[str, int]) -> socket.socket:
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        sock = socket.socket(family, kind)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.settimeout(0.2)
        self.sockets.append(sock)
        return sock

    @property
    def addresses(self) -> dict[str, tuple[str, int]]:
        found = {}
        if self.udp:
            found["udp"] = self.udp.getsockname()[:2]
        if self.tcp:
            found["tcp"] = self.tcp.getsockname()[:2]
        return found

    # -- intake ----------------------------------------------------------------------------------------------------
    def _put(self, message: bytes, wait: float = 0.0) -> None:
        """Queue a message; a full queue drops it (UDP at once; TCP after `wait` s of holding the sender back)."""
        self.counters.add("received")
        try:
            self.queue.put(message, timeout=wait) if wait else self.queue.put_nowait(message)
        except queue.Full:
            self.counters.add("dropped_full")

    def _serve_udp(self) -> None:
        assert self.udp is not None
        while not self.stopping.is_set():
            try:
                data, sender = self.udp.recvfrom(MAX_MESSAGE)
            except TimeoutError:
                continue
            except OSError:
                return
            if not self.allowlist.allows(sender[0]):
                self.counters.add("dropped_sender")
                continue
            self._put(data.rstrip(b"\r\n"))

    def _serve_tcp(self) -> None:
        assert self.tcp is not None
        while not self.stopping.is_set():
            try:
                connection, sender = self.tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self.allowlist.allows(sender[0]):
                self.counters.add("dropped_sender")
                connection.close()
                continue
            thread = threading.Thread(target=self._read_stream, args=(connection,), daemon=True)
            thread.start()

    def _read_stream(self, connection: socket.socket) -> None:
        connection.settimeout(1.0)
        buffer = b""
        with connection:
            while not self.stopping.is_set():
                try:
                    chunk = connection.recv(1 << 16)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    break
                buffer = self._frames(buffer + chunk)
            if buffer.strip():
                self._put(buffer.rstrip(b"\r\n"))

    def _frames(self, buffer: bytes) -> bytes:
        """Queue every whole frame in `buffer`; return the incomplete rest (bounded by MAX_MESSAGE)."""
        while buffer:
            if buffer[:1].isdigit():  # octet counting: "LEN SP MSG"
                space = buffer.find(b" ", 0, 7)
                if space < 0 or not buffer[:space].isdigit():
                    if space < 0 and len(buffer) < 7:
                        return buffer  # the length may still be arriving
                    rest = self._newline_frame(buffer)  # not a length: a newline-framed message
                    if rest is buffer:
                        return buffer
                    buffer = rest
                    continue
                length = int(buffer[:space])
                if length > MAX_MESSAGE:
                    self.counters.add("dropped_frame")
                    return b""  # the stream is out of step; drop what we have
                end = space + 1 + length
                if len(buffer) < end:
                    return buffer
                self._put(buffer[space + 1 : end].rstrip(b"\r\n"), TCP_WAIT)
                buffer = buffer[end:].lstrip(b"\r\n")
            else:
                rest = self._newline_frame(buffer)
                if rest is buffer:
                    return buffer
                buffer = rest
        return b""

    def _newline_frame(self, buffer: bytes) -> bytes:
        end = buffer.find(b"\n")
        if end < 0:
            if len(buffer) > MAX_MESSAGE:
                self.counters.add("dropped_frame")
                return b""
            return buffer
        self._put(buffer[:end].rstrip(b"\r"), TCP_WAIT)
        return buffer[end + 1 :]

    # -- analysis --------------------------------------------------------------------------------------------------
    def _work(self) -> None:
        while not (self.stopping.is_set() and self.queue.empty()):
            try:
                first = self.queue.get(timeout=0.2)
            except queue.Empty:
                continue
            batch = [first]
            while len(batch) < BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            text = b"\n".join(message.replace(b"\n", b" ") for message in batch) + b"\n"
            with self.analysis_lock:
                self.analysis.feed(text, len(batch))
            self.counters.add("analysed", len(batch))

    def start(self, worker: bool = True) -> None:
        # The intake threads wait on sockets while the worker runs long C calls holding the interpreter: a short
        # switch interval (this process only serves the receiver) lets them empty the kernel buffer more often.
        sys.setswitchinterval(SWITCH_INTERVAL)
        targets = [self._work] if worker else []
        if self.udp:
            targets.append(self._serve_udp)
        if self.tcp:
            targets.append(self._serve_tcp)
        for target in targets:
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=10)
        for sock in self.sockets:
            sock.close()

    def wait_until_analysed(self, count: int, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.counters.analysed >= count:
                return True
            time.sleep(0.02)
        return False

    def save(self, row: object) -> None:
        """Write the analysis so far into its LogAnalysis row."""
        with self.analysis_lock:
            summary, details = self.analysis.summary(), self.analysis.details()
        row.summary, row.details = summary, details
        row.lines_read = summary["lines"]
        row.finished_at = timezone.now()
        row.save(update_fields=["summary", "details", "lines_read", "finished_at", "status"])
