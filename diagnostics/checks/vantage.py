"""The vantage point: can the portal test from here at all? One canary query through the configured resolver.

Before a check blames a target for a DNS answer, the run proves the portal's own resolver works: it asks for
the NS records of DIAG_CANARY_NAME (default `.`, the root zone, which every working resolver answers).
- `ok`: any answer without an error (NOERROR, with or without records).
- `silent`: no answer at all (timeout, nothing listening, no resolver configured).
- `blind`: an answer that shows it cannot see the DNS (NXDOMAIN, SERVFAIL, REFUSED for the canary).
The runner (`base.run_concurrently`) asks once per run, concurrently with the checks, and turns the outcome of
every check that depends on the resolver into an `error` saying so, instead of blaming the customer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.nameserver
import dns.rcode
import dns.resolver

from diagnostics.checks.compat import StrEnum
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.net import make_resolver

HEADLINE = "The portal cannot test from here"


class Reach(StrEnum):
    OK = "ok"
    SILENT = "silent"
    BLIND = "blind"


@dataclass(frozen=True)
class Vantage:
    """What the canary query proved about the portal's resolver."""

    reach: Reach
    resolver: str
    canary: str
    problem: str = ""
    fix: str = ""
    ms: int = 0

    @property
    def ok(self) -> bool:
        return self.reach == Reach.OK

    @property
    def summary(self) -> str:
        """`The portal cannot test from here: its resolver 127.0.0.53 does not answer (...). Fix ...`"""
        if self.ok:
            return f"The portal's resolver {self.resolver} answered the canary query ({self.canary} NS)."
        return f"{HEADLINE}: {self.problem}. {self.fix}"

    def as_details(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "reach": str(self.reach),
            "resolver": self.resolver,
            "canary": f"{self.canary} NS",
            "ms": self.ms,
            "problem": self.problem,
            "fix": self.fix,
            "summary": self.summary,
        }


def resolver_name(resolver: dns.resolver.Resolver) -> str:
    """`127.0.0.53` (port 53 left out) or `127.0.0.1:5353`, comma-separated."""
    servers = []
    for ns in resolver.nameservers:
        if isinstance(ns, dns.nameserver.Do53Nameserver):
            servers.append(ns.address if ns.port == 53 else f"{ns.address}:{ns.port}")
        else:
            servers.append(str(ns))
    return ", ".join(servers) or "(none)"


def rcodes(exc: dns.resolver.NoNameservers) -> list[str]:
    """The reply codes the servers gave (empty when none replied: all timed out or were unreachable)."""
    found = []
    for error in exc.kwargs.get("errors") or ():
        response = error[4] if len(error) > 4 else None
        if response is not None:
            found.append(dns.rcode.to_text(response.rcode()))
    return found


FIX_SILENT = (
    "Fix DIAG_NAMESERVERS (or the portal host's /etc/resolv.conf) or the network between the portal and its "
    "resolver, then run the checks again."
)
FIX_BLIND = "Point DIAG_NAMESERVERS at a resolver that resolves public names, then run the checks again."


def check_vantage(config: DiagConfig) -> Vantage:
    """Ask the canary once; never raises. Bounded by DIAG_TIMEOUT."""
    canary = config.canary_name if config.canary_name == "." else config.canary_name.rstrip(".")
    started = time.monotonic()
    try:
        resolver = make_resolver(config)
    except dns.resolver.NoResolverConfiguration:
        return Vantage(
            Reach.SILENT,
            "(none)",
            canary,
            "it has no resolver (DIAG_NAMESERVERS is empty and the host has no /etc/resolv.conf name server)",
            FIX_SILENT,
        )
    name = resolver_name(resolver)

    def result(reach: Reach, problem: str = "", fix: str = "") -> Vantage:
        return Vantage(reach, name, canary, problem, fix, int((time.monotonic() - started) * 1000))

    try:
        resolver.resolve(config.canary_name, "NS", lifetime=config.timeout, search=False, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return result(
            Reach.BLIND,
            f"its resolver {name} answers but has no view of the DNS (NXDOMAIN for {canary}, a name that exists)",
            FIX_BLIND,
        )
    except dns.resolver.NoNameservers as exc:
        codes = rcodes(exc)
        if not codes:
            return result(Reach.SILENT, f"its resolver {name} does not answer (unreachable)", FIX_SILENT)
        return result(
            Reach.BLIND,
            f"its resolver {name} answers but has no view of the DNS ({'/'.join(dict.fromkeys(codes))} for "
            f"{canary}, a name that always resolves)",
            FIX_BLIND,
        )
    except dns.exception.Timeout:
        return result(
            Reach.SILENT,
            f"its resolver {name} does not answer (no reply to {canary} NS within {config.timeout:g} s)",
            FIX_SILENT,
        )
    except (dns.exception.DNSException, OSError) as exc:
        return result(Reach.SILENT, f"its resolver {name} does not answer ({exc})", FIX_SILENT)
    return result(Reach.OK)
