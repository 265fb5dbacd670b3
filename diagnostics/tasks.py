"""The background task: run one DiagnosticRun's checks concurrently and store each result as it finishes."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, F, Value
from django.db.models.functions import Greatest
from django.tasks import task
from django.utils import timezone

from diagnostics.checks import ConfigError, Outcome, Status, config_from_settings, run_concurrently, worst
from diagnostics.models import RUN_GRACE, CheckResult, DiagnosticRun


@task()
def run_diagnostic(run_id: int) -> str:
    """Run the checks of `run_id` (enqueued by services.start_run after commit)."""
    return execute_run(run_id)


def record(run: DiagnosticRun, outcome: Outcome, vantage: str = "") -> bool:
    """Store one check's outcome, unless the run was already given up (then the row is no longer pending).

    `vantage` is where it ran ("" the portal, else a remote vantage point's key). True if a row was written."""
    return bool(
        CheckResult.objects.filter(run=run, check_name=outcome.check, vantage=vantage, status="").update(
            status=outcome.status,
            summary=outcome.summary,
            details=outcome.details,
            duration_ms=outcome.duration_ms,
            articles=outcome.articles,
            gateway_commands=outcome.gateway_commands,
            tested_from=outcome.tested_from[:255],
            finished_at=timezone.now(),
        )
    )


def finish(run_id: int, error: str = "") -> None:
    """Mark a running run finished once no check is pending (a remote vantage point may still be testing)."""
    with transaction.atomic():
        run = DiagnosticRun.objects.select_for_update().filter(pk=run_id, state=DiagnosticRun.State.RUNNING).first()
        if run is None:  # expired meanwhile (expire_stale already wrote the verdict), or not claimed yet
            return
        if run.results.filter(status="").exists():  # the rest arrives from a remote vantage point
            return
        run.status = worst(run.results.values_list("status", flat=True)) or Status.ERROR
        run.state, run.finished_at, run.error = DiagnosticRun.State.FINISHED, timezone.now(), error
        run.save(update_fields=["status", "state", "finished_at", "error"])


def claim(run_id: int, seconds: float) -> DiagnosticRun | None:
    """Move a queued run to running with a fresh hard deadline; None if it is not queued any more."""
    now = timezone.now()
    deadline = now + timedelta(seconds=seconds) + RUN_GRACE
    queued = DiagnosticRun.objects.filter(pk=run_id, state=DiagnosticRun.State.QUEUED)
    remote = CheckResult.objects.filter(run_id=run_id).exclude(vantage="")
    # Checks on a remote vantage point keep the run's queue deadline when it is later than the portal's own.
    claimed = queued.exclude(Exists(remote)).update(
        state=DiagnosticRun.State.RUNNING, started_at=now, deadline_at=deadline
    ) or queued.filter(Exists(remote)).update(
        state=DiagnosticRun.State.RUNNING, started_at=now, deadline_at=Greatest(F("deadline_at"), Value(deadline))
    )
    return DiagnosticRun.objects.get(pk=run_id) if claimed else None


def execute_run(run_id: int) -> str:
    """Run the checks of one run in this process; returns the run's final state."""
    DiagnosticRun.objects.expire_stale()
    try:
        config = config_from_settings()
    except ConfigError as exc:
        run = claim(run_id, 0)
        if run is None:
            return "skipped"
        for name in run.portal_checks():
            record(run, Outcome(name, Status.ERROR, f"The check could not run: {exc}", {"error": str(exc)}))
        finish(run_id, error=str(exc))
        return DiagnosticRun.State.FINISHED
    run = claim(run_id, config.run_deadline)
    if run is None:
        return "skipped"
    run_concurrently(run.portal_checks(), run.to_target(), config, on_result=lambda outcome: record(run, outcome))
    finish(run_id)
    return DiagnosticRun.objects.values_list("state", flat=True).get(pk=run_id)
