"""What the run page shows for each result: timing bars, linked articles and pretty details."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from diagnostics.checks import REGISTRY
from diagnostics.forms import skipped_checks
from diagnostics.models import CheckResult, DiagnosticRun
from kb.models import Article

BAR_STEPS = 20  # widths in 5 % steps as CSS classes (diag-w-0..20): the CSP forbids inline styles
PHASES = (("dns", "DNS"), ("connect", "Connect"), ("tls", "TLS"), ("first_byte", "First byte"))


@dataclass
class ResultView:
    result: CheckResult
    label: str
    articles: list[tuple[str, Article | None]] = field(default_factory=list)
    timings: list[dict] = field(default_factory=list)
    details_json: str = ""
    commands_text: str = ""
    transcript_text: str = ""


def timed_rows(details: dict) -> list[dict]:
    """Each timed target's phases (key, label, ms) and their total, without bars."""
    rows = []
    for row in details.get("timings", []) if isinstance(details, dict) else []:
        phases = [(key, label, int(row[key])) for key, label in PHASES if isinstance(row.get(key), int | float)]
        if phases:
            rows.append({"label": str(row.get("label", "")), "phases": phases, "total": sum(ms for *_, ms in phases)})
    return rows


def timing_rows(details: dict, scale: int | None = None) -> list[dict]:
    """Each timed target's phases as bar segments (width in steps of 5 %) on one scale: `scale` ms is the full
    bar (the run's slowest target, so bars compare across checks); without it the slowest target here."""
    rows = timed_rows(details)
    scale = scale or max((row["total"] for row in rows), default=0) or 1
    for row in rows:
        row["bars"] = [
            {"key": key, "label": label, "ms": ms, "step": round(ms * BAR_STEPS / scale)}
            for key, label, ms in row["phases"]
        ]
    return rows


def vantage_problem(results: list[CheckResult]) -> dict | None:
    """The portal's own problem (its resolver), when a result recorded one, with the checks it stopped.

    `checks` lists the labels of the checks that report `error` because of it: they are not findings about the
    domain. None when the vantage point was fine (or not needed).
    """
    found = None
    stopped = []
    for r in results:
        vantage = r.details.get("vantage") if isinstance(r.details, dict) else None
        if not isinstance(vantage, dict) or vantage.get("ok") is not False:
            continue
        found = found or vantage
        if r.status == "error":
            stopped.append(REGISTRY[r.check_name].label if r.check_name in REGISTRY else r.check_name)
    if found is None:
        return None
    return {
        "problem": str(found.get("problem", "")),
        "fix": str(found.get("fix", "")),
        "resolver": str(found.get("resolver", "")),
        "checks": stopped,
    }


def run_scale(results: list[CheckResult]) -> int:
    """The full bar of a run's timing bars: its slowest timed target in any check (ms, at least 1)."""
    return max((row["total"] for r in results for row in timed_rows(r.details)), default=0) or 1


def present(run: DiagnosticRun, results: list[CheckResult] | None = None) -> list[ResultView]:
    results = list(run.results.all()) if results is None else results
    scale = run_scale(results)
    wanted = {kb for r in results for kb in r.articles}
    articles = {a.kb_number: a for a in Article.objects.by_kb_numbers(wanted).only("number", "slug", "title")}
    return [
        ResultView(
            result=r,
            label=REGISTRY[r.check_name].label if r.check_name in REGISTRY else r.check_name,
            articles=[(kb, articles.get(kb)) for kb in r.articles],
            timings=timing_rows(r.details, scale),
            details_json=json.dumps(r.details, indent=2, sort_keys=True) if r.details else "",
            commands_text="\n".join(r.gateway_commands),
            transcript_text="\n".join(r.details.get("transcript", [])) if isinstance(r.details, dict) else "",
        )
        for r in results
    ]


def comparisons(results: list[CheckResult]) -> list[dict]:
    """Checks that ran from more than one vantage point (the portal and a probe), side by side.

    A difference between the two answers is itself a finding: "the portal reaches FortiGuard, the site does not".
    """
    by_check: dict[str, list[CheckResult]] = {}
    for r in results:
        by_check.setdefault(r.check_name, []).append(r)
    rows = []
    for name, group in by_check.items():
        if len(group) < 2:
            continue
        finished = [r for r in group if not r.is_pending]
        differ = len(finished) == len(group) and len({r.status for r in finished}) > 1
        rows.append(
            {
                "label": REGISTRY[name].label if name in REGISTRY else name,
                "sides": [{"where": r.where, "status": r.status, "summary": r.summary} for r in group],
                "differ": differ,
            }
        )
    return rows


def run_context(run: DiagnosticRun) -> dict:
    results = list(run.results.all())
    return {
        "run": run,
        "results": present(run, results),
        "phases": PHASES,
        "vantage": vantage_problem([r for r in results if not r.vantage]),  # a probe's own problem: its results
        "skipped": skipped_checks(run.to_target(), run.protected_domain_id is not None, run.checks),
        "comparisons": comparisons(results),
    }
