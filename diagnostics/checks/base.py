"""The result type, the target, the registry and the concurrent runner shared by every check.

Checks know nothing of the database: they take a `Target` and a `DiagConfig` and return a `Outcome`.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from diagnostics.checks.config import DiagConfig


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


@dataclass(frozen=True)
class CheckSpec:
    name: str
    label: str
    description: str
    function: CheckFunction
    needs_gateway: bool = False
    needs_smtp: bool = False
    dns_only: bool = False

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
) -> Callable[[CheckFunction], CheckFunction]:
    def decorator(function: CheckFunction) -> CheckFunction:
        REGISTRY[name] = CheckSpec(name, label, description, function, needs_gateway, needs_smtp, dns_only)
        return function

    return decorator


def tested_from() -> str:
    return socket.gethostname()


def run_check(name: str, target: Target, config: DiagConfig) -> Outcome:
    """Run one check; never raises. Unknown checks and unmet needs are `error` outcomes."""
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
    outcome = Outcome(
        name,
        Status.FAIL,
        f"The check did not finish within {seconds:g} s and was stopped.",
        {"error": "run deadline reached", "waited_s": seconds},
        duration_ms=int(seconds * 1000),
    )
    return finish(outcome, time.monotonic() - seconds)


def run_concurrently(
    names: Iterable[str],
    target: Target,
    config: DiagConfig,
    on_result: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run checks in parallel threads; each has its own timeout, the whole run a hard deadline.

    `on_result` is called in the calling thread as each check finishes (so it may use the database).
    Checks still running at the deadline are reported as timed out and abandoned; their sockets are
    closed by their own guards shortly after.
    """
    names = list(dict.fromkeys(names))
    deadline = time.monotonic() + config.run_deadline
    outcomes: dict[str, Outcome] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, len(names)), thread_name_prefix="diag-check")
    try:
        pending: dict[Future[Outcome], str] = {pool.submit(run_check, n, target, config): n for n in names}
        while pending:
            done, _ = wait(pending, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED)
            if not done:
                break
            for future in done:
                outcome = future.result()
                outcomes[pending.pop(future)] = outcome
                if on_result:
                    on_result(outcome)
        for name in pending.values():
            outcome = timed_out(name, config.timeout)
            outcomes[name] = outcome
            if on_result:
                on_result(outcome)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return [outcomes[n] for n in names]


def in_parallel[T, R](function: Callable[[T], R], items: Iterable[T], max_workers: int = 8) -> list[R]:
    """Map `function` over `items` in threads (each call bounds its own time), keeping order."""
    items = list(items)
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items)), thread_name_prefix="diag-part") as pool:
        return list(pool.map(function, items))
