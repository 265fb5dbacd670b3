"""The result type, the target, the registry and the concurrent runner shared by every check.

Checks know nothing of the database: they take a `Target` and a `DiagConfig` and return a `Outcome`.
Each run first proves its vantage point (`vantage.check_vantage`, one canary query run alongside the checks):
a check registered as needing the resolver for this target gets an `error` instead of its verdict when the
portal's resolver does not work, so the customer is never blamed for the portal's DNS.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

from diagnostics.checks.compat import StrEnum
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.domain import is_ip_literal
from diagnostics.checks.vantage import Reach, Vantage, check_vantage


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"


# "Worst" first by finding: a failure found outranks a check that could not run.
SEVERITY = {Status.PASS: 0, Status.WARN: 1, Status.ERROR: 2, Status.FAIL: 3}


def worst(statuses: Iterable[str]) -> Status | None:
    found = [Status(s) for s in statuses if s]
    return max(found, key=SEVERITY.__getitem__) if found else None


class Mode(StrEnum):
    GATEWAY = "gateway"
    TRANSPARENT = "transparent"
    SERVER = "server"


@dataclass(frozen=True)
class Target:
    """What a run is about. Gateway and SMTP addresses come from admin records or the command line only."""

    domain: str
    gateways: tuple[str, ...] = ()
    smtp_host: str = ""
    smtp_port: int | None = None
    mode: Mode = Mode.GATEWAY
    valid_recipient: str = ""


@dataclass
class Outcome:
    check: str
    status: Status
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    duration_ms: int = 0
    articles: list[str] = field(default_factory=list)
    gateway_commands: list[str] = field(default_factory=list)
    tested_from: str = ""

    def as_json(self) -> dict[str, Any]:
        """The command's JSON contract for one check (tested_from is kept in details)."""
        return {
            "check": self.check,
            "status": str(self.status),
            "summary": self.summary,
            "details": self.details,
            "duration_ms": self.duration_ms,
            "articles": list(self.articles),
        }


class CheckUnavailable(Exception):
    """The check cannot run for this target or configuration (reported as `error`)."""


CheckFunction = Callable[[Target, DiagConfig], Outcome]
ResolverNeed = bool | Callable[[Target, DiagConfig], bool]


def any_host_name(hosts: Iterable[str]) -> bool:
    """True when one of `hosts` is a name (it must be resolved); IP addresses need no resolver."""
    return any(host and not is_ip_literal(host) for host in hosts)


def gateways_are_named(target: Target, config: DiagConfig) -> bool:
    """`needs_resolver` for checks that contact the gateways."""
    return any_host_name(target.gateways)


def smtp_host_is_named(target: Target, config: DiagConfig) -> bool:
    """`needs_resolver` for checks that contact the protected SMTP server."""
    return any_host_name([target.smtp_host])


@dataclass(frozen=True)
class CheckSpec:
    """A registered check. `needs_resolver` (a bool, or a function of the target and configuration) says whether
    its verdict depends on the portal's resolver; `resolver_is_subject` that the resolver is what it measures
    (a resolver that does not answer at all is then its finding, not a vantage error)."""

    name: str
    label: str
    description: str
    function: CheckFunction
    needs_gateway: bool = False
    needs_smtp: bool = False
    dns_only: bool = False
    needs_resolver: ResolverNeed = True
    resolver_is_subject: bool = False

    def uses_resolver(self, target: Target, config: DiagConfig) -> bool:
        need = self.needs_resolver
        return bool(need(target, config) if callable(need) else need)

    def missing_for(self, target: Target) -> str | None:
        """Why this check cannot run on `target`, or None."""
        if self.needs_gateway and not target.gateways:
            return "no gateway host or address is configured for this domain"
        if self.needs_smtp and not target.smtp_host:
            return "no SMTP server is configured for this domain"
        return None


REGISTRY: dict[str, CheckSpec] = {}


def register(
    name: str,
    label: str,
    description: str,
    *,
    needs_gateway: bool = False,
    needs_smtp: bool = False,
    dns_only: bool = False,
    needs_resolver: ResolverNeed = True,
    resolver_is_subject: bool = False,
) -> Callable[[CheckFunction], CheckFunction]:
    def decorator(function: CheckFunction) -> CheckFunction:
        REGISTRY[name] = CheckSpec(
            name, label, description, function, needs_gateway, needs_smtp, dns_only, needs_resolver, resolver_is_subject
        )
        return function

    return decorator


def tested_from() -> str:
    return socket.gethostname()


def run_check(name: str, target: Target, config: DiagConfig) -> Outcome:
    """Run one check as a run does (vantage point included); never raises."""
    return run_concurrently([name], target, config)[0]


def execute(name: str, target: Target, config: DiagConfig) -> Outcome:
    """Run one check's function; never raises. Unknown checks and unmet needs are `error` outcomes."""
    started = time.monotonic()
    spec = REGISTRY.get(name)
    try:
        if spec is None:
            raise CheckUnavailable(f"there is no check called {name!r}")
        if missing := spec.missing_for(target):
            raise CheckUnavailable(missing)
        outcome = spec.function(target, config)
    except CheckUnavailable as exc:
        outcome = Outcome(name, Status.ERROR, f"The check could not run: {exc}.", {"error": str(exc)})
    except Exception as exc:  # a bug or an unexpected library error must not lose the run
        outcome = Outcome(
            name, Status.ERROR, "The check stopped with an internal error.", {"error": f"{type(exc).__name__}: {exc}"}
        )
    return finish(outcome, started)


def finish(outcome: Outcome, started: float) -> Outcome:
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    outcome.tested_from = tested_from()
    outcome.details.setdefault("tested_from", outcome.tested_from)
    return outcome


def timed_out(name: str, seconds: float) -> Outcome:
    """A check that overran the run's deadline: the portal stopped it, so it proved nothing either way."""
    outcome = Outcome(
        name,
        Status.ERROR,
        f"The check did not finish within the portal's limit of {seconds:g} s (DIAG_TIMEOUT) and was stopped; "
        "it found nothing either way.",
        {"error": "run deadline reached", "waited_s": seconds},
        duration_ms=int(seconds * 1000),
    )
    return finish(outcome, time.monotonic() - seconds)


def judge(outcome: Outcome, vantage: Vantage | None, spec: CheckSpec | None) -> Outcome:
    """The outcome a check that used the resolver gets, given what the canary proved.

    The vantage is added to the details (a check that found a vantage problem itself keeps its own). A check
    whose resolver is its subject keeps its verdict when the resolver is silent; any other failing vantage turns
    the outcome into an `error` that says what to fix, keeping the untrusted verdict in the details.
    """
    if vantage is None:
        return outcome
    outcome.details.setdefault("vantage", vantage.as_details())
    if vantage.ok or (spec is not None and spec.resolver_is_subject and vantage.reach == Reach.SILENT):
        return outcome
    return Outcome(
        outcome.check,
        Status.ERROR,
        vantage.summary,
        {
            "vantage": vantage.as_details(),
            "error": vantage.problem,
            "untrusted_result": {"status": str(outcome.status), "summary": outcome.summary},
            "tested_from": outcome.tested_from,
        },
        duration_ms=outcome.duration_ms,
        tested_from=outcome.tested_from,
    )


def run_concurrently(
    names: Iterable[str],
    target: Target,
    config: DiagConfig,
    on_result: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run checks in parallel threads; each has its own timeout, the whole run a hard deadline.

    The vantage canary runs alongside them (only when a check needs the resolver); the outcome of such a check
    is held until the canary answered, then judged (`judge`). `on_result` is called in the calling thread as
    each outcome is final (so it may use the database). Checks still running at the deadline are reported as
    timed out and abandoned; their sockets are closed by their own guards shortly after.
    """
    names = list(dict.fromkeys(names))
    deadline = time.monotonic() + config.run_deadline
    specs = {name: REGISTRY.get(name) for name in names}
    uses = {name: spec is not None and spec.uses_resolver(target, config) for name, spec in specs.items()}
    outcomes: dict[str, Outcome] = {}
    held: dict[str, Outcome] = {}  # finished checks that need the resolver, waiting for the canary
    vantage: Vantage | None = None

    def deliver(name: str, outcome: Outcome) -> None:
        if uses[name]:
            outcome = judge(outcome, vantage, specs[name])
        outcomes[name] = outcome
        if on_result:
            on_result(outcome)

    pool = ThreadPoolExecutor(max_workers=len(names) + 1, thread_name_prefix="diag-check")
    try:
        canary = pool.submit(check_vantage, config) if any(uses.values()) else None
        settled = canary is None  # the vantage is known (or not needed)
        pending: dict[Future[Outcome], str] = {pool.submit(execute, n, target, config): n for n in names}
        while pending or (held and not settled):
            waiting = set(pending) | ({canary} if canary is not None and not settled else set())
            done, _ = wait(waiting, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED)
            if not done:
                break
            if canary is not None and canary in done:
                done.discard(canary)
                settled = True
                try:
                    vantage = canary.result()
                except Exception:  # a bug in the canary must not lose the run: the checks keep their verdicts
                    vantage = None
                for name, outcome in held.items():
                    deliver(name, outcome)
                held.clear()
            for future in done:
                name = pending.pop(future)
                if uses[name] and not settled:
                    held[name] = future.result()
                else:
                    deliver(name, future.result())
        for name, outcome in [*held.items(), *((n, timed_out(n, config.timeout)) for n in pending.values())]:
            deliver(name, outcome)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return [outcomes[n] for n in names]


T = TypeVar("T")
R = TypeVar("R")


def in_parallel(function: Callable[[T], R], items: Iterable[T], max_workers: int = 8) -> list[R]:  # noqa: UP047 - 3.10
    """Map `function` over `items` in threads (each call bounds its own time), keeping order."""
    items = list(items)
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items)), thread_name_prefix="diag-part") as pool:
        return list(pool.map(function, items))
