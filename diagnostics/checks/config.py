"""The DIAG_* settings, parsed and validated into one frozen object the checks receive.

DIAG_NAMESERVERS      comma-separated `ip` or `ip:port` (`[v6]:port`); empty: the system resolver.
DIAG_CANARY_NAME      a name that always resolves, asked (NS) before any check blames a target (default `.`,
                      the root zone, which every working resolver answers).
DIAG_FORTIGUARD_URLS  comma-separated http(s) URLs; the only endpoints fortiguard_egress contacts.
DIAG_DNSBL_ZONES      comma-separated IP blocklist zones (RFC 5782 test entries 127.0.0.2 / 127.0.0.1).
DIAG_URIBL_ZONES      comma-separated URI blocklist zones; `zone=testname` overrides the RFC 5782 "test" name.
DIAG_TIMEOUT          seconds per check (default 10, at most 120).
DIAG_ALLOW_PRIVATE    comma-separated CIDRs of non-global addresses that may be contacted.
DIAG_SMTP_PORT        the SMTP port of gateways and, unless a record says otherwise, SMTP servers (default 25).
DIAG_HELO_NAME        the fully qualified name the SMTP probes say in EHLO (default: PORTAL_URL's host, else the
                      host's FQDN); a name that is not fully qualified is reported as `helo_problem`.
DIAG_PROBE_SENDER     MAIL FROM of the relay test (default: diagnostics@<HELO name>).
Optional extras: DIAG_DNSBL_WARN (seconds, default 1), DIAG_TLS_CA_FILE (extra CA bundle for TLS),
DIAG_RATE_LIMIT (runs per user per minute, counted by diagnostics.services.over_run_limit).
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

SETTING_NAMES = (
    "DIAG_NAMESERVERS",
    "DIAG_CANARY_NAME",
    "DIAG_FORTIGUARD_URLS",
    "DIAG_DNSBL_ZONES",
    "DIAG_URIBL_ZONES",
    "DIAG_TIMEOUT",
    "DIAG_ALLOW_PRIVATE",
    "DIAG_SMTP_PORT",
    "DIAG_DNSBL_WARN",
    "DIAG_TLS_CA_FILE",
    "DIAG_HELO_NAME",
    "DIAG_PROBE_SENDER",
    "PORTAL_URL",
)
MAX_TIMEOUT = 120.0


class ConfigError(ValueError):
    """A DIAG_* setting is malformed; the message names it."""


@dataclass(frozen=True)
class DiagConfig:
    nameservers: tuple[tuple[str, int], ...] = ()
    fortiguard_urls: tuple[str, ...] = ()
    dnsbl_zones: tuple[str, ...] = ()
    uribl_zones: tuple[tuple[str, str], ...] = ()
    timeout: float = 10.0
    allow_private: tuple[Network, ...] = ()
    smtp_port: int = 25
    dnsbl_warn: float = 1.0
    tls_ca_file: str = ""
    canary_name: str = "."
    max_response_bytes: int = 64 * 1024
    helo_name: str = "portal.invalid"
    helo_problem: str = ""  # why helo_name is not a fully qualified name ("" when it is)
    probe_sender: str = "diagnostics@portal.invalid"

    @property
    def run_deadline(self) -> float:
        """How long a whole run may take: checks run in parallel, each bounded by `timeout`."""
        return self.timeout + 0.5


def split(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = str(value or "").split(",")
    return [item.strip() for item in items if item.strip()]


def parse_nameserver(item: str) -> tuple[str, int]:
    host, port = item, "53"
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        port = rest.removeprefix(":") or "53"
    elif item.count(":") == 1:
        host, port = item.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError(f"DIAG_NAMESERVERS: {item!r} is not an IP address (ip or ip:port).") from None
    return str(address), parse_port(port, "DIAG_NAMESERVERS")


def parse_port(value: Any, name: str) -> int:
    try:
        port = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a port number.") from None
    if not 0 < port < 65536:
        raise ConfigError(f"{name}: {port} is not a port number (1-65535).")
    return port


def parse_seconds(value: Any, name: str, default: float) -> float:
    if value in (None, ""):
        return default
    try:
        seconds = float(str(value).strip())
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a number of seconds.") from None
    if not 0 < seconds <= MAX_TIMEOUT:
        raise ConfigError(f"{name}: {seconds:g} must be above 0 and at most {MAX_TIMEOUT:g} seconds.")
    return seconds


def parse_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"DIAG_FORTIGUARD_URLS: {url!r} is not an http(s) URL with a host.")
    if parts.username or parts.password:
        raise ConfigError(f"DIAG_FORTIGUARD_URLS: {url!r} must not contain credentials.")
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise ConfigError(f"DIAG_FORTIGUARD_URLS: {url!r} has a bad port.") from None
    return url


def parse_zone(zone: str, name: str) -> str:
    zone = zone.strip().rstrip(".").lower()
    labels = zone.split(".")
    if len(labels) < 2 or any(not label or len(label) > 63 for label in labels) or len(zone) > 200:
        raise ConfigError(f"{name}: {zone!r} is not a DNS zone name.")
    return zone


def is_canary_label(label: str) -> bool:
    return 0 < len(label) <= 63 and all(c.isascii() and (c.isalnum() or c in "-_") for c in label)


def parse_canary(value: Any) -> str:
    """`.` (the root zone) or a DNS name; kept with its final dot."""
    name = str(value or "").strip().lower().rstrip(".")
    if not name:
        return "."
    if len(name) > 253 or not all(is_canary_label(label) for label in name.split(".")):
        raise ConfigError(f"DIAG_CANARY_NAME: {value!r} is not a DNS name (use `.` for the root zone).")
    return name + "."


def parse_uribl(item: str) -> tuple[str, str]:
    zone, _, test_name = item.partition("=")
    return parse_zone(zone, "DIAG_URIBL_ZONES"), (test_name.strip().rstrip(".").lower() or "test")


def parse_network(item: str) -> Network:
    try:
        return ipaddress.ip_network(item, strict=False)
    except ValueError:
        raise ConfigError(f"DIAG_ALLOW_PRIVATE: {item!r} is not a CIDR (e.g. 10.0.0.0/8).") from None


LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def fqdn_problem(name: str) -> str:
    """Why `name` is not a fully qualified domain name (RFC 5321 §4.1.1.1 wants one in EHLO), or ""."""
    labels = name.split(".")
    if len(labels) < 2 or len(name) > 253 or not all(LABEL_RE.match(label) for label in labels):
        return "not a fully qualified domain name"
    if labels[-1].isdigit():
        return "an IP address, not a domain name"
    return ""


@functools.cache
def host_fqdn() -> str:
    """This host's name as the resolver knows it (looked up once per process: it may ask DNS)."""
    return (socket.getfqdn() or socket.gethostname()).rstrip(".").lower()


def parse_helo(raw: Mapping[str, Any]) -> tuple[str, str]:
    """The probe's HELO name and, when it is not fully qualified, the configuration problem to show."""
    explicit = str(raw.get("DIAG_HELO_NAME") or "").strip().rstrip(".").lower()
    if explicit:
        problem = fqdn_problem(explicit)
        return explicit, problem and f"DIAG_HELO_NAME {explicit!r} is {problem}; set it to this host's FQDN."
    url_host = (urlsplit(str(raw.get("PORTAL_URL") or "")).hostname or "").rstrip(".").lower()
    for candidate in (url_host, host_fqdn()):
        if candidate and not fqdn_problem(candidate):
            return candidate, ""
    fallback = host_fqdn()
    return fallback, (
        f"DIAG_HELO_NAME is not set and neither PORTAL_URL's host nor this host's name ({fallback!r}) is a fully "
        "qualified domain name; set DIAG_HELO_NAME, or SMTP servers may refuse the probes."
    )


def parse_sender(value: Any, helo_name: str) -> str:
    sender = str(value or "").strip().strip("<>")
    if not sender:
        return f"diagnostics@{helo_name}"
    local, _, domain = sender.rpartition("@")
    if not local or any(c in local for c in ' <>()[]\\,;:"') or fqdn_problem(domain.lower()):
        raise ConfigError(f"DIAG_PROBE_SENDER: {sender!r} is not an address like name@fully.qualified.domain.")
    return sender


def parse_config(raw: Mapping[str, Any]) -> DiagConfig:
    """Build a DiagConfig from raw setting values (strings as in the environment, or lists)."""
    return DiagConfig(
        nameservers=tuple(parse_nameserver(i) for i in split(raw.get("DIAG_NAMESERVERS"))),
        canary_name=parse_canary(raw.get("DIAG_CANARY_NAME")),
        fortiguard_urls=tuple(parse_url(u) for u in split(raw.get("DIAG_FORTIGUARD_URLS"))),
        dnsbl_zones=tuple(parse_zone(z, "DIAG_DNSBL_ZONES") for z in split(raw.get("DIAG_DNSBL_ZONES"))),
        uribl_zones=tuple(parse_uribl(z) for z in split(raw.get("DIAG_URIBL_ZONES"))),
        timeout=parse_seconds(raw.get("DIAG_TIMEOUT"), "DIAG_TIMEOUT", 10.0),
        allow_private=tuple(parse_network(n) for n in split(raw.get("DIAG_ALLOW_PRIVATE"))),
        smtp_port=parse_port(raw.get("DIAG_SMTP_PORT") or 25, "DIAG_SMTP_PORT"),
        dnsbl_warn=parse_seconds(raw.get("DIAG_DNSBL_WARN"), "DIAG_DNSBL_WARN", 1.0),
        tls_ca_file=str(raw.get("DIAG_TLS_CA_FILE") or ""),
        **probe_identity(raw),
    )


def probe_identity(raw: Mapping[str, Any]) -> dict[str, str]:
    helo_name, helo_problem = parse_helo(raw)
    sender = parse_sender(raw.get("DIAG_PROBE_SENDER"), helo_name)
    return {"helo_name": helo_name, "helo_problem": helo_problem, "probe_sender": sender}


def config_from_settings() -> DiagConfig:
    """Parse the current Django settings (read at call time, so test overrides apply)."""
    from django.conf import settings

    return parse_config({name: getattr(settings, name, None) for name in SETTING_NAMES})
