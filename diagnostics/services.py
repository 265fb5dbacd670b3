"""Starting diagnostic runs: rows first, the background task after commit; a synchronous path for the command."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from diagnostics import vantages
from diagnostics.checks import CHECK_NAMES, REGISTRY, Target
from diagnostics.models import QUEUE_WAIT, CheckResult, DiagnosticRun, ProtectedDomain
from diagnostics.tasks import execute_run, run_diagnostic
from portal.ratelimit import over_limit

logger = logging.getLogger(__name__)


def ordered_checks(names: Iterable[str]) -> list[str]:
    wanted = set(names)
    unknown = wanted - set(CHECK_NAMES)
    if unknown:
        raise ValueError(f"Unknown check(s): {', '.join(sorted(unknown))}.")
    if not wanted:
        raise ValueError("Choose at least one check.")
    return [name for name in CHECK_NAMES if name in wanted]


def applicable_checks(target: Target) -> list[str]:
    """The checks this target has what they need for (all DNS checks; SMTP/relay with a server/gateway)."""
    return [name for name in CHECK_NAMES if REGISTRY[name].missing_for(target) is None]


def create_run(
    target: Target,
    checks: Iterable[str],
    *,
    user: Any = None,
    protected_domain: ProtectedDomain | None = None,
    source: str = DiagnosticRun.Source.WEB,
    remote: bool = True,
) -> DiagnosticRun:
    """A queued run with one pending CheckResult row per check and place (`remote=False`: all on the portal)."""
    names = ordered_checks(checks)
    now = timezone.now()
    with transaction.atomic():
        run = DiagnosticRun.objects.create(
            domain=target.domain,
            protected_domain=protected_domain,
            target=DiagnosticRun.target_data(target),
            checks=names,
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            source=source,
            created_at=now,
            deadline_at=now + QUEUE_WAIT,
        )
        places = vantages.plan(protected_domain if remote else None, names)
        CheckResult.objects.bulk_create(
            CheckResult(run=run, check_name=name, position=names.index(name), vantage=key, vantage_label=label)
            for name, key, label in places
        )
        vantages.created(run)
    return run


def enqueue(run_id: int) -> None:
    try:
        run_diagnostic.enqueue(run_id)
    except Exception:
        logger.exception("Could not enqueue diagnostic run %s", run_id)
        DiagnosticRun.fail_unfinished(run_id, timezone.now())


def start_run(target: Target, checks: Iterable[str], **kwargs: Any) -> DiagnosticRun:
    """Create the run and enqueue its task once the surrounding transaction commits."""
    with transaction.atomic():
        run = create_run(target, checks, **kwargs)
        transaction.on_commit(lambda: enqueue(run.pk))
    return run


def run_checks_now(target: Target, checks: Iterable[str], **kwargs: Any) -> DiagnosticRun:
    """Create the run and execute it in this process (the `diagnose` command; no worker, no probe needed)."""
    run = create_run(target, checks, remote=False, **kwargs)
    execute_run(run.pk)
    run.refresh_from_db()
    return run


def repeat_run(run: DiagnosticRun, user: Any = None) -> DiagnosticRun:
    """Start the same checks on the same target again (from the current admin record when there is one)."""
    target = run.protected_domain.target() if run.protected_domain else run.to_target()
    return start_run(target, run.checks, user=user, protected_domain=run.protected_domain, source=run.source)


def over_run_limit(request: HttpRequest) -> HttpResponse | None:
    """Count one run for the request's user: past DIAG_RATE_LIMIT runs a minute, the 429 page (portal.ratelimit)."""
    message = "You started too many diagnostic runs in the last minute. Wait a minute and try again."
    return over_limit(request, "diagnostic-runs", settings.DIAG_RATE_LIMIT, message=message)
