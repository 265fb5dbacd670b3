"""mx_records: does every MX of the domain reach the FortiMail? (KB-0002, "The FortiMail unit is bypassed")."""

from __future__ import annotations

import time

import dns.exception
import dns.resolver

from diagnostics.checks.base import Mode, Outcome, Status, Target, register
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.net import (
    Deadline,
    describe_error,
    make_resolver,
    ms_since,
    query,
    resolve_host,
    resolver_label,
)

NAME = "mx_records"
ARTICLES = ["KB-0002"]


def lookup_failure(domain: str, exc: Exception, waited: float) -> tuple[Status, str]:
    if isinstance(exc, dns.resolver.NXDOMAIN):
        return Status.FAIL, f"The domain {domain} does not exist in DNS (NXDOMAIN), so no mail can reach it."
    if isinstance(exc, dns.resolver.NoAnswer):
        return (
            Status.FAIL,
            f"{domain} has no MX record: senders fall back to its A record and may bypass the FortiMail.",
        )
    if isinstance(exc, dns.exception.Timeout):
        return Status.FAIL, f"The resolver gave no answer for the MX records of {domain} within {waited:.1f} s."
    return Status.FAIL, f"The MX lookup for {domain} failed: {describe_error(exc, waited)}."


def gateway_identity(target: Target, resolver: dns.resolver.Resolver, deadline: Deadline) -> tuple[set[str], set[str]]:
    names, addresses = set(), set()
    for gateway in target.gateways:
        names.add(gateway.lower().rstrip("."))
        try:
            addresses.update(str(a) for a in resolve_host(gateway, resolver, deadline))
        except (dns.exception.DNSException, TimeoutError):
            continue
    return names, addresses


def verdict(target: Target, records: list[dict]) -> tuple[Status, str]:
    domain = target.domain
    unresolved = [r for r in records if not r["addresses"]]
    if target.gateways and target.mode != Mode.TRANSPARENT:
        bypass = [r for r in records if not r["reaches_gateway"]]
        if bypass:
            first = bypass[0]
            return Status.FAIL, (
                f"The MX {first['exchange']} (preference {first['preference']}) of {domain} does not reach the "
                "FortiMail: mail delivered there bypasses its scans."
            )
        if len(records) > 1:
            return Status.WARN, (
                f"{domain} has {len(records)} MX records that all reach the FortiMail; the guide recommends keeping "
                "only one."
            )
        return Status.PASS, f"{domain} has one MX record and it points at the FortiMail."
    if unresolved:
        first = unresolved[0]
        return Status.FAIL, f"The MX {first['exchange']} of {domain} has no address, so mail to it cannot be delivered."
    if target.mode == Mode.TRANSPARENT:
        return (
            Status.PASS,
            f"{domain} has {len(records)} MX record(s); in transparent mode make sure their traffic passes "
            "through the FortiMail.",
        )
    if len(records) > 1:
        return Status.WARN, (
            f"{domain} has {len(records)} MX records; in gateway mode keep one, pointing at the FortiMail "
            "(no gateway is configured here, so where they point was not compared)."
        )
    return Status.PASS, (
        f"{domain} has one MX record ({records[0]['exchange']}); no gateway is configured, so it was not compared "
        "with the FortiMail."
    )


@register(NAME, "MX records", "The domain's MX records reach the FortiMail and only it.", dns_only=True)
def check_mx_records(target: Target, config: DiagConfig) -> Outcome:
    deadline = Deadline(config.timeout)
    resolver = make_resolver(config)
    details: dict = {"resolver": resolver_label(resolver), "domain": target.domain, "mode": str(target.mode)}
    started = time.monotonic()
    try:
        answer = query(resolver, target.domain, "MX", deadline)
    except (dns.exception.DNSException, TimeoutError) as exc:
        waited = time.monotonic() - started
        status, summary = lookup_failure(target.domain, exc, waited)
        details.update(error=describe_error(exc, waited), waited_s=round(waited, 3))
        details["timings"] = [{"label": f"MX {target.domain}", "dns": int(waited * 1000)}]
        return Outcome(NAME, status, summary, details, articles=ARTICLES)
    timings = [{"label": f"MX {target.domain}", "dns": ms_since(started)}]
    mx = sorted((r.preference, r.exchange.to_text(omit_final_dot=True).lower()) for r in answer)
    details["records"] = [{"preference": p, "exchange": e or "."} for p, e in mx]
    if len(mx) == 1 and mx[0][1] in {"", "."}:
        details["null_mx"] = True
        details["timings"] = timings
        return Outcome(
            NAME,
            Status.FAIL,
            f"{target.domain} publishes a null MX (0 .): it accepts no mail at all.",
            details,
            articles=ARTICLES,
        )

    gateway_names, gateway_addresses = gateway_identity(target, resolver, deadline)
    details["gateway"] = {"names": sorted(gateway_names), "addresses": sorted(gateway_addresses)}
    records = []
    for preference, exchange in mx:
        record = {"preference": preference, "exchange": exchange, "addresses": [], "error": ""}
        step = time.monotonic()
        try:
            record["addresses"] = [str(a) for a in resolve_host(exchange, resolver, deadline)]
        except (dns.exception.DNSException, TimeoutError) as exc:
            record["error"] = describe_error(exc, time.monotonic() - step)
        timings.append({"label": f"A/AAAA {exchange}", "dns": ms_since(step)})
        record["reaches_gateway"] = exchange in gateway_names or bool(gateway_addresses & set(record["addresses"]))
        records.append(record)
    details["records"] = records
    details["timings"] = timings
    status, summary = verdict(target, records)
    return Outcome(NAME, status, summary, details, articles=ARTICLES)
