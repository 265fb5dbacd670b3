"""Network safety: resolve through the configured resolver, vet every address, connect by IP, bound everything.

The portal must not become a scanner: an address is contacted only after it was resolved here, unwrapped
(IPv4-mapped, NAT64, 6to4, Teredo), found global and not multicast (or inside DIAG_ALLOW_PRIVATE), and
then connected to by IP, so no second lookup can swap it. Every socket has a timeout and a guard that
closes it at the check's deadline; every response read is size-capped.
"""

from __future__ import annotations

import ipaddress
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver

from diagnostics.checks.config import DiagConfig

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
GUARD_GRACE = 0.2  # the guard cuts a socket this long after its deadline; ordinary timeouts fire first


class UnsafeAddress(Exception):
    """An address the portal refuses to contact."""


class Deadline:
    """A point in time a check must finish by; hands out the time left for each blocking step."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.monotonic()
        self.end = self.started + seconds

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"timed out after {self.seconds:g} s")
        return left

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


# --- DNS -------------------------------------------------------------------------------------------


def make_resolver(config: DiagConfig) -> dns.resolver.Resolver:
    """A resolver for DIAG_NAMESERVERS (ip or ip:port), or the system's when none are configured."""
    if not config.nameservers:
        resolver = dns.resolver.Resolver()
    else:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in config.nameservers]
    resolver.timeout = config.timeout
    resolver.lifetime = config.timeout
    resolver.cache = None
    return resolver


def resolver_label(resolver: dns.resolver.Resolver) -> str:
    servers = [
        f"{ns.address}:{ns.port}" if isinstance(ns, dns.nameserver.Do53Nameserver) else str(ns)
        for ns in resolver.nameservers
    ]
    return ", ".join(servers)


def query(resolver: dns.resolver.Resolver, name: str, rdtype: str, deadline: Deadline) -> dns.resolver.Answer:
    """One query bounded by the deadline; raises dnspython's exceptions (NXDOMAIN, NoAnswer, LifetimeTimeout)."""
    return resolver.resolve(name, rdtype, lifetime=deadline.remaining(), search=False)


def resolve_host(host: str, resolver: dns.resolver.Resolver, deadline: Deadline) -> list[IPAddress]:
    """A and AAAA addresses of `host` (an IP literal is returned as it is). Raises on NXDOMAIN or timeout."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    addresses: list[IPAddress] = []
    for rdtype in ("A", "AAAA"):
        try:
            answer = query(resolver, host, rdtype, deadline)
        except dns.resolver.NoAnswer:
            continue
        addresses.extend(ipaddress.ip_address(r.address) for r in answer)
    return addresses


# --- vetting ---------------------------------------------------------------------------------------


def unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address hidden in an IPv4-mapped, NAT64 (64:ff9b::/96), 6to4 or Teredo IPv6 address."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return address


def allowed_privately(address: IPAddress, config: DiagConfig) -> bool:
    return any(address.version == net.version and address in net for net in config.allow_private)


def vet(address: IPAddress, config: DiagConfig) -> IPAddress:
    """The address to connect to, or UnsafeAddress saying why it is refused."""
    inner = unwrap(address)
    if address.is_multicast or inner.is_multicast:
        raise UnsafeAddress(f"{address} is a multicast address")
    target = inner if address.version == 6 and address.ipv4_mapped else address
    if allowed_privately(address, config) or allowed_privately(inner, config):
        return target
    if not inner.is_global:
        shown = f"{address} ({inner})" if inner != address else str(address)
        raise UnsafeAddress(f"{shown} is not a public address and not in DIAG_ALLOW_PRIVATE")
    return target


def vetted_addresses(
    host: str, resolver: dns.resolver.Resolver, config: DiagConfig, deadline: Deadline
) -> list[IPAddress]:
    """Resolve `host` and keep only the addresses that may be contacted (UnsafeAddress when none may)."""
    addresses = resolve_host(host, resolver, deadline)
    if not addresses:
        raise UnsafeAddress(f"{host} has no A or AAAA record")
    allowed, refused = [], []
    for address in addresses:
        try:
            allowed.append(vet(address, config))
        except UnsafeAddress as exc:
            refused.append(str(exc))
    if not allowed:
        raise UnsafeAddress("; ".join(refused))
    return allowed


# --- sockets ---------------------------------------------------------------------------------------


def connect(address: IPAddress, port: int, deadline: Deadline) -> socket.socket:
    """A TCP connection to an already vetted address (no name lookup happens here)."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(deadline.remaining())
        sock.connect((str(address), port))
    except BaseException:
        sock.close()
        raise
    return sock


@contextmanager
def guarded(sock: socket.socket, deadline: Deadline) -> Iterator[socket.socket]:
    """Close `sock` when the deadline passes even if a peer drips bytes slower than each read's timeout."""

    def cut() -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    timer = threading.Timer(max(0.0, deadline.end - time.monotonic()) + GUARD_GRACE, cut)
    timer.daemon = True
    timer.start()
    try:
        yield sock
    finally:
        timer.cancel()
        sock.close()


class CappedReader:
    """A binary file wrapper that fails once more than `limit` bytes were read."""

    def __init__(self, raw: Any, limit: int) -> None:
        self.raw = raw
        self.left = limit

    def _count(self, data: bytes) -> bytes:
        self.left -= len(data)
        if self.left < 0:
            raise OSError("response too large; stopped reading")
        return data

    def readline(self, size: int = -1) -> bytes:
        return self._count(self.raw.readline(size))

    def read(self, size: int = -1) -> bytes:
        return self._count(self.raw.read(size if size >= 0 else self.left + 1))

    def close(self) -> None:
        self.raw.close()


class VettedSMTP(smtplib.SMTP):
    """smtplib over a socket we connected ourselves to a vetted address; replies are size-capped."""

    def __init__(self, sock: socket.socket, helo_name: str, limit: int) -> None:
        self._vetted_sock = sock
        self._limit = limit
        super().__init__(local_hostname=helo_name, timeout=sock.gettimeout())

    def _get_socket(self, host: str, port: int, timeout: float | None) -> socket.socket:  # noqa: ANN001
        return self._vetted_sock

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None and self.sock is not None:
            self.file = CappedReader(self.sock.makefile("rb"), self._limit)
        return super().getreply()


def tls_context(config: DiagConfig) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if config.tls_ca_file:
        context.load_verify_locations(cafile=config.tls_ca_file)
    return context


def describe_error(exc: BaseException, waited: float | None = None) -> str:
    """A short phrase for a network failure, for summaries and details."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake failed ({exc.reason or exc})"
    if is_timeout(exc):
        return f"timed out after {waited:.1f} s" if waited is not None else "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, UnsafeAddress):
        return f"refused to contact: {exc}"
    if isinstance(exc, dns.resolver.NXDOMAIN):
        return "the name does not exist (NXDOMAIN)"
    if isinstance(exc, dns.resolver.NoNameservers):
        return "no name server answered usefully (SERVFAIL or refused)"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def is_timeout(exc: BaseException) -> bool:
    # smtplib turns a read timeout into SMTPServerDisconnected("Connection unexpectedly closed: timed out")
    disconnected_by_timeout = isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc)
    return disconnected_by_timeout or isinstance(exc, TimeoutError | dns.exception.Timeout)
