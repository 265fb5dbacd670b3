"""Network safety: resolve through the configured resolver, vet every address, connect by IP, bound everything.

The portal must not become a scanner: an address is contacted only after it was resolved here, unwrapped
(IPv4-mapped, -compatible and -translated, NAT64, 6to4, Teredo), found globally reachable in IANA's
special-purpose registries and not multicast (or inside DIAG_ALLOW_PRIVATE), and
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

from diagnostics.checks import special_addresses as special
from diagnostics.checks.config import DiagConfig

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
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


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: IPv4-mapped, -compatible and -translated, NAT64 (well-known
    and local-use /96), 6to4, Teredo (server and client). Empty for anything else."""
    if isinstance(address, ipaddress.IPv4Address):
        return []
    last_32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo:
        return list(address.teredo)
    if address.sixtofour:
        return [address.sixtofour]
    if address in special.IPV4_COMPATIBLE and int(address) > 1:  # not :: and ::1, which are IPv6 addresses
        return [last_32]
    prefixes = (special.IPV4_MAPPED, special.IPV4_TRANSLATED, special.NAT64_WELL_KNOWN, special.NAT64_LOCAL_USE)
    return [last_32] if any(address in prefix for prefix in prefixes) else []


def unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address stands for (Teredo: the client), else the address itself."""
    embedded = embedded_ipv4(address)
    return embedded[-1] if embedded else address


def special_block(address: IPAddress) -> special.Block | None:
    """The most specific entry of IANA's special-purpose registry holding `address` (None: an ordinary one)."""
    table = special.IPV4_SPECIAL if address.version == 4 else special.IPV6_SPECIAL
    blocks = [block for block in table if address in block.network]
    return max(blocks, key=lambda block: block.network.prefixlen, default=None)


def why_not_global(address: IPAddress) -> str | None:
    """Why `address` is not globally reachable per IANA's registries, or None when it is (or its embedded IPv4
    address decides: 6to4, Teredo)."""
    block = special_block(address)
    if block is not None and block.globally_reachable in ("True", "N/A"):
        return None
    if block is not None:
        return f"{block.name}, {block.reference}"
    if address.version == 6 and address not in special.IPV6_GLOBAL_UNICAST:
        return "outside the global unicast range 2000::/3"
    return None


def allowed_privately(address: IPAddress, config: DiagConfig) -> bool:
    return any(address.version == net.version and address in net for net in config.allow_private)


def vet(address: IPAddress, config: DiagConfig) -> IPAddress:
    """The address to connect to, or UnsafeAddress saying why it is refused.

    The address and every IPv4 address it carries must be globally reachable per IANA's special-purpose
    registries (IPv6: inside 2000::/3), never multicast, unless DIAG_ALLOW_PRIVATE admits them. An IPv4 address
    written as IPv6 (mapped, compatible, translated) is connected to as IPv4; NAT64, 6to4 and Teredo addresses
    as they are (their relays reach the IPv4 host).
    """
    embedded = embedded_ipv4(address)
    inner = embedded[-1] if embedded else address
    if address.is_multicast or any(part.is_multicast for part in embedded):
        raise UnsafeAddress(f"{address} is a multicast address")
    spelled_as_ipv6 = any(
        address in net for net in (special.IPV4_MAPPED, special.IPV4_COMPATIBLE, special.IPV4_TRANSLATED)
    )
    target = inner if embedded and spelled_as_ipv6 else address
    if allowed_privately(address, config) or (embedded and all(allowed_privately(p, config) for p in embedded)):
        return target
    if embedded and address in special.IPV4_MAPPED:
        reasons = [(part, why_not_global(part)) for part in embedded]  # the same address, in another spelling
    else:
        reasons = [(part, why_not_global(part)) for part in (address, *embedded)]
    refused = [f"{part}: {reason}" for part, reason in reasons if reason]
    if refused:
        shown = f"{address} ({', '.join(map(str, embedded))})" if embedded else str(address)
        raise UnsafeAddress(f"{shown} is not a public address ({'; '.join(refused)}) and not in DIAG_ALLOW_PRIVATE")
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
