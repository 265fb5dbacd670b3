"""fortiguard_egress: can this network reach FortiGuard over HTTP(S)? (KB-0008, mailfilterd timeout where=eom).

Only the configured DIAG_FORTIGUARD_URLS are contacted, never a user-supplied URL; redirects are not followed.
"""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import dns.exception

from diagnostics.checks.base import Outcome, Status, Target, in_parallel, register, worst
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.net import (
    Deadline,
    UnsafeAddress,
    connect,
    describe_error,
    guarded,
    make_resolver,
    ms_since,
    resolver_label,
    tls_context,
    vetted_addresses,
)

NAME = "fortiguard_egress"
ARTICLES = ["KB-0008"]
WORKAROUND = ["config system fortiguard antispam", "set uri-redirect-lookup disable", "end"]
BLOCKED_STATUSES = {403, 407, 451}


def probe(url: str, config: DiagConfig, deadline: Deadline) -> dict:
    """DNS, connect, TLS and first byte for one endpoint; a dict with timings, status and error."""
    parts = urlsplit(url)
    host, secure = parts.hostname or "", parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    result: dict = {"url": url, "host": host, "port": port, "timings": {}, "status": "pass", "error": ""}
    timings = result["timings"]
    step, started = "dns", time.monotonic()
    try:
        addresses = vetted_addresses(host, make_resolver(config), config, deadline)
        timings["dns"] = ms_since(started)
        result["address"] = str(addresses[0])
        step, started = "connect", time.monotonic()
        with guarded(connect(addresses[0], port, deadline), deadline) as sock:
            timings["connect"] = ms_since(started)
            if secure:
                step, started = "tls", time.monotonic()
                sock = tls_context(config).wrap_socket(sock, server_hostname=host)
                timings["tls"] = ms_since(started)
                result["tls_version"] = sock.version()
            step, started = "first_byte", time.monotonic()
            connection = http.client.HTTPConnection(host, port, timeout=deadline.remaining())
            connection.sock = sock
            connection.request("GET", parts.path or "/", headers={"User-Agent": "mta-portal-diagnostics"})
            response = connection.getresponse()
            timings["first_byte"] = ms_since(started)
            response.read(config.max_response_bytes)
            result["http_status"] = response.status
            result["http_reason"] = response.reason[:100]
            connection.close()
    except UnsafeAddress as exc:
        result.update(status="error", step=step, error=describe_error(exc))
        return result
    except (OSError, http.client.HTTPException, dns.exception.DNSException) as exc:
        timings[step] = ms_since(started)
        result.update(status="fail", step=step, error=describe_error(exc, time.monotonic() - started))
        return result
    if result["http_status"] in BLOCKED_STATUSES:
        result.update(
            status="fail", step="http", error=f"answered HTTP {result['http_status']}: blocked by a proxy or firewall?"
        )
    elif result["http_status"] >= 500:
        result.update(status="warn", step="http", error=f"answered HTTP {result['http_status']}")
    return result


STEP_NAMES = {
    "dns": "DNS lookup",
    "connect": "TCP connect",
    "tls": "TLS handshake",
    "first_byte": "HTTP request",
    "http": "HTTP",
}


def summarize(endpoints: list[dict], status: Status) -> str:
    bad = [e for e in endpoints if e["status"] != "pass"]
    if not bad:
        slowest = max(sum(e["timings"].values()) for e in endpoints)
        return f"All {len(endpoints)} FortiGuard endpoints answered over HTTP(S) (slowest {slowest} ms)."
    listed = "; ".join(
        f"{e['host']} ({STEP_NAMES.get(e.get('step', ''), e.get('step', ''))}: {e['error']})" for e in bad
    )
    if status == Status.FAIL:
        return (
            f"{len(bad)} of {len(endpoints)} FortiGuard endpoints cannot be reached from this network: {listed}. "
            "The FortiMail's FortiGuard lookups probably time out the same way."
        )
    if status == Status.WARN:
        return f"{len(bad)} of {len(endpoints)} FortiGuard endpoints answered with a server error: {listed}."
    return f"{len(bad)} of {len(endpoints)} FortiGuard endpoints could not be tested: {listed}."


@register(NAME, "FortiGuard egress", "DNS, TCP, TLS and HTTP to each configured FortiGuard endpoint.")
def check_fortiguard_egress(target: Target, config: DiagConfig) -> Outcome:
    if not config.fortiguard_urls:
        return Outcome(
            NAME, Status.ERROR, "No FortiGuard endpoints are configured (DIAG_FORTIGUARD_URLS).", articles=ARTICLES
        )
    deadline = Deadline(config.timeout)
    endpoints = in_parallel(lambda url: probe(url, config, deadline), config.fortiguard_urls)
    status = worst(e["status"] for e in endpoints) or Status.ERROR
    details = {
        "resolver": resolver_label(make_resolver(config)),
        "endpoints": endpoints,
        "timings": [{"label": e["host"], **e["timings"]} for e in endpoints],
    }
    hosts = list(dict.fromkeys((e["host"], e["port"]) for e in endpoints))
    commands = [f"execute nslookup name {h}" for h, _ in hosts] + [f"execute telnettest {h}:{p}" for h, p in hosts]
    if status in {Status.FAIL, Status.WARN}:
        commands += WORKAROUND
        details["workaround"] = WORKAROUND
    return Outcome(NAME, status, summarize(endpoints, status), details, articles=ARTICLES, gateway_commands=commands)
