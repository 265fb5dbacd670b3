"""dnsbl_latency: do the blocklists answer their RFC 5782 test entries, correctly and fast? (KB-0007, fas_milter).

IP lists must list 127.0.0.2 and must not list 127.0.0.1; URI lists must list `test` and not `invalid`.
Answers in 127.255.255.0/24 are the lists' error codes (e.g. queries through a public resolver), not listings;
answers outside 127.0.0.0/8 are no list's code (RFC 5782 §2.1, §2.3): the resolver rewrote them.
The resolver is this check's subject: one that answers no query at all is its finding (fail), while the
runner's vantage check turns a resolver with no view of the DNS into an error.
"""

from __future__ import annotations

import ipaddress
import time

import dns.exception
import dns.resolver

from diagnostics.checks.base import Outcome, Status, Target, in_parallel, register, worst
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.net import Deadline, describe_error, make_resolver, query, resolver_label

NAME = "dnsbl_latency"
ARTICLES = ["KB-0007"]
ERROR_REPLIES = ipaddress.ip_network("127.255.255.0/24")
LIST_REPLIES = ipaddress.ip_network("127.0.0.0/8")
ADVICE = "Point the FortiMail at a local caching resolver, or provide private DNSBL/SURBL mirrors on your network."


def test_queries(config: DiagConfig) -> list[dict]:
    queries = []
    for zone in config.dnsbl_zones:
        queries.append({"zone": zone, "kind": "ip", "name": f"2.0.0.127.{zone}", "expect_listed": True})
        queries.append({"zone": zone, "kind": "ip", "name": f"1.0.0.127.{zone}", "expect_listed": False})
    for zone, test_name in config.uribl_zones:
        queries.append({"zone": zone, "kind": "uri", "name": f"{test_name}.{zone}", "expect_listed": True})
        queries.append({"zone": zone, "kind": "uri", "name": f"invalid.{zone}", "expect_listed": False})
    return queries


def run_query(item: dict, resolver: dns.resolver.Resolver, config: DiagConfig, deadline: Deadline) -> dict:
    result = dict(item, answers=[], status="pass", problem="")
    started = time.monotonic()
    try:
        answer = query(resolver, item["name"], "A", deadline)
        result["answers"] = sorted(r.address for r in answer)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        pass
    except (dns.exception.Timeout, TimeoutError):
        waited = time.monotonic() - started
        problem = f"no answer within the portal's limit of {deadline.seconds:g} s (DIAG_TIMEOUT)"
        result.update(ms=int(waited * 1000), status="fail", problem=problem, timed_out=True)
        return result
    except dns.exception.DNSException as exc:
        waited = time.monotonic() - started
        result.update(ms=int(waited * 1000), status="fail", problem=describe_error(exc, waited))
        return result
    elapsed = time.monotonic() - started
    result["ms"] = int(elapsed * 1000)
    listed = bool(result["answers"])
    addresses = [ipaddress.ip_address(a) for a in result["answers"]]
    if any(a not in LIST_REPLIES for a in addresses):
        result.update(
            status="error",
            problem=(
                f"answered {item['name']} with {', '.join(result['answers'])}, outside 127.0.0.0/8 where "
                "blocklists put their codes (RFC 5782 §2.1, §2.3): the resolver rewrites answers, so the list "
                "cannot be tested through it"
            ),
        )
    elif any(a in ERROR_REPLIES for a in addresses):
        result.update(
            status="fail", problem=f"answered with the error code {', '.join(result['answers'])} (query refused)"
        )
    elif listed != item["expect_listed"]:
        if item["expect_listed"]:
            wrong = f"does not list its test entry {item['name']}: the zone name is wrong or the list no longer answers"
        else:
            wrong = f"lists {item['name']}, which must never be listed: the list is broken or wildcarded"
        result.update(status="fail", problem=wrong)
    elif elapsed > config.dnsbl_warn:
        result.update(status="warn", problem=f"answered in {elapsed:.2f} s, above {config.dnsbl_warn:g} s")
    return result


def summarize(results: list[dict], status: Status, resolver: str, limit: float) -> str:
    zones = list(dict.fromkeys(r["zone"] for r in results))
    if status == Status.PASS:
        slowest = max(r["ms"] for r in results)
        return (
            f"All {len(zones)} blocklist zones answered their test entries correctly through {resolver} "
            f"(slowest {slowest} ms)."
        )
    if all(r.get("timed_out") for r in results):
        return (
            f"The resolver {resolver} answered none of the {len(results)} blocklist queries within the portal's "
            f"limit of {limit:g} s: antispam scans that look "
            "up DNSBL/SURBL through it cannot finish (fas_milter timeout before data read)."
        )
    bad = {}
    for r in results:
        if r["status"] != "pass":
            bad.setdefault(r["zone"], r["problem"])
    listed = "; ".join(f"{zone}: {problem}" for zone, problem in bad.items())
    if status == Status.WARN:
        return f"Blocklist lookups are slow ({listed}); the FortiMail's antispam scans may time out."
    if status == Status.ERROR:
        return f"{len(bad)} of {len(zones)} blocklist zones could not be tested through {resolver} ({listed})."
    return f"{len(bad)} of {len(zones)} blocklist zones failed their test through {resolver} ({listed})."


@register(
    NAME,
    "DNSBL / SURBL latency",
    "Each configured blocklist answers its RFC 5782 test entries, and how fast.",
    dns_only=True,
    resolver_is_subject=True,
)
def check_dnsbl_latency(target: Target, config: DiagConfig) -> Outcome:
    queries = test_queries(config)
    if not queries:
        return Outcome(
            NAME,
            Status.ERROR,
            "No blocklist zones are configured (DIAG_DNSBL_ZONES, DIAG_URIBL_ZONES).",
            articles=ARTICLES,
        )
    deadline = Deadline(config.timeout)
    resolver = make_resolver(config)
    results = in_parallel(lambda item: run_query(item, resolver, config, deadline), queries, max_workers=16)
    status = worst(r["status"] for r in results) or Status.ERROR
    label = resolver_label(resolver)
    details = {
        "resolver": label,
        "warn_above_s": config.dnsbl_warn,
        "queries": results,
        "timings": [{"label": r["name"], "dns": r["ms"]} for r in results],
    }
    if status != Status.PASS:
        details["advice"] = ADVICE
    commands = [f"execute nslookup name 2.0.0.127.{zone}" for zone in config.dnsbl_zones]
    commands += [f"execute nslookup name {test}.{zone}" for zone, test in config.uribl_zones]
    summary = summarize(results, status, label, config.timeout)
    return Outcome(NAME, status, summary, details, articles=ARTICLES, gateway_commands=commands)
