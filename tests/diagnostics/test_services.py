import time
from datetime import timedelta

import pytest
from django.utils import timezone

from diagnostics import services
from diagnostics.checks import CHECK_NAMES, Target, run_concurrently
from diagnostics.models import CheckResult, DiagnosticRun, ProtectedDomain
from diagnostics.tasks import execute_run

pytestmark = pytest.mark.django_db
STALLING = Target("one.test", ("mx.gw.test",), "stall.test")


def test_all_five_checks_with_one_stalling_finish_within_timeout_plus_one_second(diag):
    config = diag.configure(DIAG_TIMEOUT="1")
    started = time.monotonic()
    outcomes = run_concurrently(CHECK_NAMES, STALLING, config)
    assert time.monotonic() - started < config.timeout + 1
    assert {o.check: o.status for o in outcomes} == {
        "mx_records": "pass",
        "fortiguard_egress": "pass",
        "dnsbl_latency": "pass",
        "smtp_recipient_verification": "warn",  # the portal's timeout, not proof the server is down
        "relay_denied": "pass",
    }


def test_background_run_with_a_stalling_check_finishes_within_timeout_plus_one_second(
    diag, django_capture_on_commit_callbacks
):
    record = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test", smtp_server="stall.test")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(record.target(), CHECK_NAMES, protected_domain=record)
    assert time.monotonic() - started < 2.0
    run.refresh_from_db()
    assert (run.state, run.status) == ("finished", "warn")
    assert [r.check_name for r in run.results.all()] == list(CHECK_NAMES)
    assert run.results.get(check_name="smtp_recipient_verification").summary.count("the portal stopped waiting") == 1


def test_run_deadline_cuts_a_check_that_overruns(diag, monkeypatch):
    """A check that ignores its own timeout is reported as timed out at the run deadline."""
    from diagnostics.checks import base

    spec = base.REGISTRY["mx_records"]
    monkeypatch.setitem(
        base.REGISTRY, "mx_records", spec.__class__(**{**spec.__dict__, "function": lambda t, c: time.sleep(3)})
    )
    config = diag.configure(DIAG_TIMEOUT="0.5")
    started = time.monotonic()
    (outcome,) = run_concurrently(["mx_records"], Target("one.test"), config)
    assert time.monotonic() - started < 1.5
    assert (outcome.status, outcome.details["error"]) == ("error", "run deadline reached")  # the portal's limit
    assert "the portal's limit of 0.5 s" in outcome.summary


def test_start_run_enqueues_only_after_commit(diag, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.start_run(Target("one.test"), ["mx_records"])
    assert len(callbacks) == 1
    assert DiagnosticRun.objects.get(pk=run.pk).state == "queued"
    callbacks[0]()
    run.refresh_from_db()
    assert (run.state, run.status) == ("finished", "pass")


def test_results_are_stored_with_articles_and_commands(diag):
    run = services.run_checks_now(Target("one.test"), ["fortiguard_egress"])
    result = run.results.get()
    assert (result.status, result.articles) == ("pass", ["KB-0008"])
    assert result.gateway_commands[0] == "execute nslookup name fg.test"
    assert result.tested_from and result.duration_ms is not None and result.finished_at


def test_stale_running_run_is_marked_failed(diag):
    run = services.create_run(Target("one.test"), ["mx_records", "dnsbl_latency"])
    DiagnosticRun.objects.filter(pk=run.pk).update(state="running", deadline_at=timezone.now() - timedelta(seconds=1))
    CheckResult.objects.filter(run=run, check_name="mx_records").update(status="pass", summary="ok")
    assert DiagnosticRun.objects.expire_stale() == 1
    run.refresh_from_db()
    assert (run.state, run.status) == ("failed", "error")
    assert "the worker stopped" in run.error
    assert run.results.get(check_name="dnsbl_latency").status == "error"
    assert run.results.get(check_name="mx_records").status == "pass"


def test_queued_run_without_worker_expires_after_its_deadline(diag):
    run = services.create_run(Target("one.test"), ["mx_records"])
    assert DiagnosticRun.objects.expire_stale() == 0
    assert DiagnosticRun.objects.expire_stale(now=run.deadline_at + timedelta(seconds=1)) == 1
    run.refresh_from_db()
    assert run.state == "failed" and "no worker picked it up" in run.error


def test_task_skips_a_run_that_was_already_given_up(diag):
    run = services.create_run(Target("one.test"), ["mx_records"])
    DiagnosticRun.fail_unfinished(run.pk, timezone.now())
    assert execute_run(run.pk) == "skipped"
    assert run.results.get().status == "error"


def test_bad_configuration_makes_every_check_an_error(diag, settings):
    settings.DIAG_TIMEOUT = "soon"
    run = services.run_checks_now(Target("one.test"), ["mx_records", "dnsbl_latency"])
    assert run.status == "error"
    assert all("DIAG_TIMEOUT" in r.summary for r in run.results.all())


def test_repeat_run_uses_the_current_admin_record(diag, django_capture_on_commit_callbacks):
    record = ProtectedDomain.objects.create(name="one.test", gateway_hosts="acceptall.test")
    first = services.run_checks_now(record.target(), ["relay_denied"], protected_domain=record)
    assert first.status == "fail"
    record.gateway_hosts = "mx.gw.test"
    record.save()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.repeat_run(first)
    again.refresh_from_db()
    assert (again.pk != first.pk, again.status, again.target["gateways"]) == (True, "pass", ["mx.gw.test"])


def test_unknown_checks_are_refused():
    with pytest.raises(ValueError, match="Unknown check"):
        services.ordered_checks(["mx_records", "port_scan"])
