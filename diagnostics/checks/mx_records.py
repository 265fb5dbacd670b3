"""mx_records: does every MX of the domain reach the FortiMail and only it? (KB-0002, "The FortiMail unit is bypassed").

The rules and their basis are in docs/diagnostics.md. In short, in gateway mode every address of every exchange
must be one of the gateway's addresses: a sender may use any MX and any address of it (RFC 5321 §5.1), so one
stray address is a bypass. An exchange written as an IP address, or one with no address, is undeliverable; a
gateway name that does not resolve is the domain record's error, and then no MX is blamed.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field

import dns.exception
import dns.resolver

from diagnostics.checks.base import Mode, Outcome, Status, Target, in_parallel, register, worst
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.domain import is_ip_literal
from diagnostics.checks.net import Deadline, describe_error, make_resolver, ms_since, query, resolver_label

NAME = "mx_records"
ARTICLES = ["KB-0002"]


@dataclass
class Lookup:
    """The A and AAAA addresses of one name, or why there are none: nxdomain, nodata, timeout, servfail."""

    name: str
    addresses: list[str] = field(default_factory=list)
    problem: str = ""
    error: str = ""
    ms: int = 0


def lookup(name: str, resolver: dns.resolver.Resolver, deadline: Deadline) -> Lookup:
    result, started = Lookup(name), time.monotonic()
    try:
        for rdtype in ("A", "AAAA"):
            try:
                answer = query(resolver, name, rdtype, deadline)
            except dns.resolver.NoAnswer:
                continue
            result.addresses.extend(r.address for r in answer)
    except dns.resolver.NXDOMAIN as exc:
        result.problem, result.error = "nxdomain", describe_error(exc)
    except (dns.exception.Timeout, TimeoutError):
        result.problem = "timeout"
        result.error = f"no answer within the portal's limit of {deadline.seconds:g} s (DIAG_TIMEOUT)"
    except dns.exception.DNSException as exc:
        result.problem, result.error = "servfail", describe_error(exc)
    if not result.addresses and not result.problem:
        result.problem, result.error = "nodata", "no A or AAAA record"
    result.ms = ms_since(started)
    return result


def lookup_all(names: list[str], resolver: dns.resolver.Resolver, deadline: Deadline) -> list[Lookup]:
    return in_parallel(lambda name: lookup(name, resolver, deadline), names)


def mx_failure(domain: str, exc: Exception, waited: float, limit: float) -> tuple[Status, str]:
    """The verdict when the MX query itself fails (the vantage point is proved separately)."""
    if isinstance(exc, dns.resolver.NXDOMAIN):
        return Status.FAIL, f"The domain {domain} does not exist in DNS (NXDOMAIN), so no mail can reach it."
    if isinstance(exc, dns.exception.Timeout | TimeoutError):
        return Status.WARN, (
            f"Inconclusive: no answer for the MX records of {domain} within the portal's limit of {limit:g} s "
            "(DIAG_TIMEOUT). Senders wait longer and retry; check that the domain's name servers answer."
        )
    return Status.FAIL, (
        f"The MX records of {domain} cannot be resolved ({describe_error(exc, waited)}): senders cannot find where "
        "to deliver and queue its mail; check the domain's name servers and DNSSEC."
    )


def gateway_problem(target: Target, gateways: list[Lookup]) -> str:
    """The first configured gateway that does not resolve, described for an `error`, or ''."""
    for gateway in gateways:
        if gateway.problem:
            verb = "does not resolve" if gateway.problem in {"nxdomain", "nodata"} else "could not be resolved"
            return (
                f"The gateway {gateway.name} configured for {target.domain} {verb} ({gateway.error}): "
                f"correct the gateway hosts of the protected domain {target.domain}. The MX records were not "
                "compared, so none is blamed."
            )
    return ""


def judge_record(record: dict, domain: str, gateway_addresses: set[str] | None) -> tuple[Status, str]:
    """One exchange's verdict; `gateway_addresses` None when there is no gateway to compare with."""
    exchange, preference = record["exchange"], record["preference"]
    named = f"The MX {exchange} (preference {preference}) of {domain}"
    if exchange == ".":
        return Status.FAIL, (
            f"{domain} mixes a null MX (0 .) with other MX records; RFC 7505 forbids that and senders may refuse "
            "its mail: remove the null MX."
        )
    if record["ip_literal"]:
        return Status.FAIL, (
            f"{named} is an IP address, not a host name: RFC 5321 §5.1 requires a name and MTAs such as Postfix "
            "skip the record, so mail cannot be delivered through it. Publish a host name with an A record."
        )
    if record["problem"] == "timeout":
        return Status.WARN, (
            f"Inconclusive: the address of the MX {exchange} (preference {preference}) of {domain} could not be "
            f"looked up: {record['error']}."
        )
    if record["problem"]:
        return Status.FAIL, (
            f"{named} has no address ({record['error']}), so mail cannot be delivered to it; senders that try it "
            "defer and retry."
        )
    if gateway_addresses is None:
        return Status.PASS, ""
    addresses = record["addresses"]
    stray = [a for a in addresses if a not in gateway_addresses]
    if not stray:
        return Status.PASS, ""
    if len(stray) < len(addresses):
        return Status.FAIL, (
            f"{named} resolves to the FortiMail but also to {', '.join(stray)}, which is not a gateway address: "
            "senders may deliver to any of its addresses and bypass the FortiMail's scans."
        )
    return Status.FAIL, (
        f"{named} ({', '.join(addresses)}) does not reach the FortiMail: mail delivered there bypasses its scans."
    )


def implicit_mx(target: Target, host: Lookup, gateway_addresses: set[str] | None) -> tuple[Status, str]:
    """No MX record: senders use the domain's own A/AAAA records (RFC 5321 §5.1, the implicit MX)."""
    domain = target.domain
    if host.problem == "timeout":
        return Status.WARN, f"Inconclusive: {domain} has no MX record and its address lookup failed: {host.error}."
    if host.problem:
        return Status.FAIL, (
            f"{domain} has no MX record and no address ({host.error}), so mail to it cannot be delivered."
        )
    shown = ", ".join(host.addresses)
    if gateway_addresses is not None:
        stray = [a for a in host.addresses if a not in gateway_addresses]
        if stray:
            return Status.FAIL, (
                f"{domain} has no MX record, so senders deliver to its address ({shown}); {', '.join(stray)} is "
                "not the FortiMail, so that mail bypasses its scans. Publish one MX record pointing at the FortiMail."
            )
        return Status.WARN, (
            f"{domain} has no MX record; senders use its address ({shown}), which is the FortiMail (implicit MX, "
            "RFC 5321 §5.1), so mail arrives. Publish one MX record pointing at the FortiMail."
        )
    return Status.WARN, (
        f"{domain} has no MX record; senders use its address ({shown}) instead (implicit MX, RFC 5321 §5.1). "
        "Publish one MX record pointing at the FortiMail."
    )


def all_good(target: Target, records: list[dict], compared: bool) -> tuple[Status, str]:
    domain, count = target.domain, len(records)
    if target.mode == Mode.TRANSPARENT:
        return Status.PASS, (
            f"{domain} has {count} MX record(s), each with an address; in transparent mode make sure their traffic "
            "passes through the FortiMail."
        )
    if compared:
        if count > 1:
            return Status.WARN, (
                f"{domain} has {count} MX records that all reach the FortiMail; the guide recommends keeping only one."
            )
        return Status.PASS, f"{domain} has one MX record and every address of it is the FortiMail."
    if count > 1:
        return Status.WARN, (
            f"{domain} has {count} MX records; in gateway mode keep one, pointing at the FortiMail "
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
    timings: list[dict] = []
    details["timings"] = timings

    def done(status: Status, summary: str) -> Outcome:
        return Outcome(NAME, status, summary, details, articles=ARTICLES)

    started = time.monotonic()
    try:
        answer = query(resolver, target.domain, "MX", deadline)
        mx = sorted((r.preference, r.exchange.to_text(omit_final_dot=True).lower() or ".") for r in answer)
    except dns.resolver.NoAnswer:
        mx = []
    except (dns.exception.DNSException, TimeoutError) as exc:
        waited = time.monotonic() - started
        details.update(error=describe_error(exc, waited), waited_s=round(waited, 3))
        timings.append({"label": f"MX {target.domain}", "dns": int(waited * 1000)})
        return done(*mx_failure(target.domain, exc, waited, config.timeout))
    timings.append({"label": f"MX {target.domain}", "dns": ms_since(started)})
    details["records"] = [{"preference": p, "exchange": e} for p, e in mx]
    if len(mx) == 1 and mx[0][1] == ".":
        details["null_mx"] = True
        return done(
            Status.FAIL,
            f"{target.domain} publishes a null MX (0 .), which declares that it accepts no mail (RFC 7505): "
            "senders return mail for it at once. Replace it with an MX record pointing at the FortiMail.",
        )

    compare = bool(target.gateways) and target.mode != Mode.TRANSPARENT
    exchanges = [e for _, e in mx if e != "." and not is_ip_literal(e)]
    gateway_names = [g for g in target.gateways if not is_ip_literal(g)] if compare else []
    names = list(dict.fromkeys(gateway_names + exchanges + ([] if mx else [target.domain])))
    looked_up = {item.name: item for item in lookup_all(names, resolver, deadline)}
    timings.extend({"label": f"A/AAAA {n}", "dns": looked_up[n].ms} for n in names)

    gateway_addresses: set[str] | None = None
    if compare:
        gateways = [looked_up[g] for g in gateway_names]
        gateway_addresses = {str(ipaddress.ip_address(g.strip("[]"))) for g in target.gateways if is_ip_literal(g)}
        gateway_addresses.update(a for g in gateways for a in g.addresses)
        details["gateway"] = {"names": sorted(gateway_names), "addresses": sorted(gateway_addresses)}
        if problem := gateway_problem(target, gateways):
            details["gateway"]["error"] = problem
            return Outcome(NAME, Status.ERROR, problem, details)

    if not mx:
        details["implicit_mx"] = {"addresses": looked_up[target.domain].addresses}
        return done(*implicit_mx(target, looked_up[target.domain], gateway_addresses))

    records = []
    for preference, exchange in mx:
        found = looked_up.get(exchange, Lookup(exchange))
        record = {
            "preference": preference,
            "exchange": exchange,
            "ip_literal": is_ip_literal(exchange),
            "addresses": found.addresses,
            "problem": found.problem,
            "error": found.error,
        }
        record["status"], record["finding"] = judge_record(record, target.domain, gateway_addresses)
        records.append(record)
    details["records"] = records
    status = worst(r["status"] for r in records) or Status.PASS
    if status == Status.PASS:
        return done(*all_good(target, records, compare))
    findings = [r["finding"] for r in records if r["status"] == status]
    more = len([r for r in records if r["status"] != Status.PASS]) - 1
    summary = findings[0] + (f" ({more} more MX problem{'s' if more > 1 else ''} in the details.)" if more else "")
    return done(status, summary)
