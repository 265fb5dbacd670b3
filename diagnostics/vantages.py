"""Where each check of a run runs: on the portal, or on a remote vantage point (a probe at the customer's site).

Another app (probes) registers a `Planner` in its `AppConfig.ready()`; without one every check runs on the portal,
so diagnostics works alone. A remote check's result row has `vantage` set (e.g. `probe:12`) and is filled by that
app through `diagnostics.tasks.record(run, outcome, vantage)` and `tasks.finish(run_id)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from diagnostics.models import DiagnosticRun

Placement = tuple[str, str, str]  # (check name, vantage key: "" for the portal, label in words)


class Planner(Protocol):
    def plan(self, protected_domain: Any, names: list[str]) -> list[Placement] | None:
        """The placements of `names` (a check may be placed twice: portal and remote), or None to leave them."""

    def created(self, run: DiagnosticRun) -> None:
        """Called in the run's creating transaction, after its result rows exist."""


PLANNERS: list[Planner] = []


def register(planner: Planner) -> None:
    if planner not in PLANNERS:
        PLANNERS.append(planner)


def plan(protected_domain: Any, names: list[str]) -> list[Placement]:
    """Each check's places: the first planner with an answer decides; by default all run on the portal."""
    if protected_domain is not None:
        for planner in PLANNERS:
            if (placements := planner.plan(protected_domain, names)) is not None:
                return placements
    return [(name, "", "") for name in names]


def created(run: DiagnosticRun) -> None:
    for planner in PLANNERS:
        planner.created(run)
