"""Where a run's checks run when its domain has a live probe (registered in `ProbesConfig.ready()`).

The checks that test the customer's network run on the probe: the resolver's DNSBL latency, the HTTP egress to
FortiGuard and the path to the recipient-verification server. DNS-only checks run on both, so the run page shows
the two answers side by side. The relay test stays on the portal: it must come from outside.
"""

from __future__ import annotations

from typing import Any

from diagnostics.checks import REGISTRY
from diagnostics.models import DiagnosticRun
from diagnostics.vantages import Placement
from probes.models import Assignment, Probe

ON_PROBE = ("dnsbl_latency", "fortiguard_egress", "smtp_recipient_verification")
ON_PORTAL = ("relay_denied",)


def placements(probe: Probe, names: list[str]) -> list[Placement]:
    places: list[Placement] = []
    for name in names:
        if name in ON_PROBE:
            places.append((name, probe.key, probe.label))
        elif name in ON_PORTAL or not REGISTRY[name].dns_only:
            places.append((name, "", ""))
        else:
            places += [(name, "", ""), (name, probe.key, probe.label)]
    return places


class ProbePlanner:
    def plan(self, protected_domain: Any, names: list[str]) -> list[Placement] | None:
        probe = Probe.objects.live().filter(domains=protected_domain).order_by("-last_seen_at", "pk").first()
        return placements(probe, names) if probe else None

    def created(self, run: DiagnosticRun) -> None:
        remote: dict[str, list[str]] = {}
        for key, name in run.results.exclude(vantage="").values_list("vantage", "check_name"):
            remote.setdefault(key, []).append(name)
        for key, names in remote.items():
            probe_id = int(key.removeprefix("probe:"))
            Assignment.objects.create(probe_id=probe_id, run=run, checks=names)


PLANNER = ProbePlanner()
