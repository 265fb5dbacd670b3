"""fortiguard_egress: can this network reach FortiGuard over HTTP(S)? (KB-0008, mailfilterd timeout where=eom).

Only the configured DIAG_FORTIGUARD_URLS are contacted, never a user-supplied URL; redirects are not followed.
"""

from __future__ import annotations

import http.client
import ssl
import time
from urllib.parse import urlsplit

import dns.exception
import dns.resolver

from diagnostics.checks.base import Outcome, Status, Target, any_host_name, in_parallel, register, worst
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.net import (
    Deadline,
    UnsafeAddress,
    connect,
    describe_error,
    guarded,
    is_timeout,
    make_resolver,
    ms_since,
    resolver_label,
    tls_context,
    vetted_addresses,
)
from diagnostics.checks.vantage import HEADLINE

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
        result["kind"], result["meaning"] = failure_kind(exc, deadline)
        if result["kind"] == "nxdomain":
            result["status"] = "error"  # the configured name does not exist here: the portal's problem
        return result
    if result["http_status"] in BLOCKED_STATUSES:
        result.update(
            status="fail", step="http", error=f"answered HTTP {result['http_status']}: blocked by a proxy or firewall?"
        )
    elif result["http_status"] >= 500:
        result.update(status="warn", step="http", error=f"answered HTTP {result['http_status']}")
    return result


def failure_kind(exc: BaseException, deadline: Deadline) -> tuple[str, str]:
    """What a failure means, in words that do not guess beyond what was seen."""
    if isinstance(exc, dns.resolver.NXDOMAIN):
        return "nxdomain", "the portal's resolver says this name does not exist: check DIAG_FORTIGUARD_URLS"
    if isinstance(exc, dns.exception.Timeout):
        return "dns", f"the portal's resolver gave no answer for this name within {deadline.seconds:g} s (DIAG_TIMEOUT)"
    if isinstance(exc, dns.exception.DNSException):
        return "dns", "the name could not be resolved"
    if is_timeout(exc):
        return "timeout", (
            f"no answer within the portal's limit of {deadline.seconds:g} s (DIAG_TIMEOUT): something on the path "
            "drops this traffic"
        )
    if isinstance(exc, ConnectionRefusedError):
        return "refused", "the connection was actively refused, by the endpoint or a firewall on the path"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "untrusted", (
            "the certificate is not trusted here: a TLS-inspecting proxy on the path, or a CA missing from "
            "DIAG_TLS_CA_FILE"
        )
    return "other", ""


STEP_NAMES = {
    "dns": "DNS lookup",
    "connect": "TCP connect",
    "tls": "TLS handshake",
    "first_byte": "HTTP request",
    "http": "HTTP",
}


def describe(endpoint: dict) -> str:
    step = STEP_NAMES.get(endpoint.get("step", ""), endpoint.get("step", ""))
    meaning = f"; {endpoint['meaning']}" if endpoint.get("meaning") else ""
    return f"{endpoint['host']} ({step}: {endpoint['error']}{meaning})"


def summarize(endpoints: list[dict], status: Status) -> str:
    bad = [e for e in endpoints if e["status"] != "pass"]
    if not bad:
        slowest = max(sum(e["timings"].values()) for e in endpoints)
        return f"All {len(endpoints)} FortiGuard endpoints answered over HTTP(S) (slowest {slowest} ms)."
    listed = "; ".join(describe(e) for e in bad)
    if status == Status.FAIL:
        failed = [e for e in bad if e["status"] == "fail"]
        summary = (
            f"{len(failed)} of {len(endpoints)} FortiGuard endpoints cannot be reached from this network: {listed}."
        )
        if all(e.get("kind") == "timeout" for e in failed):
            summary += (
                " If the FortiMail's traffic takes the same path, its FortiGuard requests time out the same way "
                "(mailfilterd timeout, where=eom)."
            )
        return summary
    if status == Status.WARN:
        return f"{len(bad)} of {len(endpoints)} FortiGuard endpoints answered with a server error: {listed}."
    return f"{len(bad)} of {len(endpoints)} FortiGuard endpoints could not be tested: {listed}."


def blind_resolver(endpoints: list[dict], resolver: str) -> dict | None:
    """Every endpoint name NXDOMAIN: public names that exist, so the portal's resolver has no view of the DNS."""
    if not endpoints or any(e.get("kind") != "nxdomain" for e in endpoints):
        return None
    hosts = ", ".join(dict.fromkeys(e["host"] for e in endpoints))
    problem = f"its resolver {resolver} answers NXDOMAIN for every FortiGuard name ({hosts}), names that exist publicly"
    fix = "Point DIAG_NAMESERVERS at a resolver that resolves public names, or correct DIAG_FORTIGUARD_URLS."
    return {
        "ok": False,
        "reach": "blind",
        "resolver": resolver,
        "problem": problem,
        "fix": fix,
        "summary": f"{HEADLINE}: {problem}. {fix}",
    }


def named_endpoints(target: Target, config: DiagConfig) -> bool:
    """The check needs the resolver unless every endpoint is an IP address."""
    return any_host_name(urlsplit(url).hostname or "" for url in config.fortiguard_urls)


@register(
    NAME,
    "FortiGuard egress",
    "DNS, TCP, TLS and HTTP to each configured FortiGuard endpoint.",
    needs_resolver=named_endpoints,
)
def check_fortiguard_egress(target: Target, config: DiagConfig) -> Outcome:
    if not config.fortiguard_urls:
        return Outcome(
            NAME, Status.ERROR, "No FortiGuard endpoints are configured (DIAG_FORTIGUARD_URLS).", articles=ARTICLES
        )
    deadline = Deadline(config.timeout)
    endpoints = in_parallel(lambda url: probe(url, config, deadline), config.fortiguard_urls)
    status = worst(e["status"] for e in endpoints) or Status.ERROR
    label = resolver_label(make_resolver(config))
    details = {
        "resolver": label,
        "endpoints": endpoints,
        "timings": [{"label": e["host"], **e["timings"]} for e in endpoints],
    }
    if vantage := blind_resolver(endpoints, label):
        details["vantage"] = vantage
        return Outcome(NAME, Status.ERROR, vantage["summary"], details)
    hosts = list(dict.fromkeys((e["host"], e["port"]) for e in endpoints))
    commands = [f"execute nslookup name {h}" for h, _ in hosts] + [f"execute telnettest {h}:{p}" for h, p in hosts]
    if status in {Status.FAIL, Status.WARN}:
        commands += WORKAROUND
        details["workaround"] = WORKAROUND
    return Outcome(NAME, status, summarize(endpoints, status), details, articles=ARTICLES, gateway_commands=commands)
