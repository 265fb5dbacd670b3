"""The signed probe API in-process: enrolment, polling, results, and every refusal."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from diagnostics import services
from diagnostics.models import DiagnosticRun
from probes.agent.signing import canonical, signed_headers, signing_key
from probes.models import Assignment, EnrolmentCode, Nonce, Probe
from tests.probes.conftest import POLL, enrolled, signed_post

pytestmark = pytest.mark.django_db
ENROL = "/api/probes/enrol"


def results_path(assignment: Assignment) -> str:
    return f"/api/probes/assignments/{assignment.pk}/results"


def start(domain, checks, capture):
    with capture(execute=True):
        return services.start_run(domain.target(), checks, protected_domain=domain)


def outcome(check: str, status: str = "pass", **extra) -> dict:
    return {"check": check, "status": status, "summary": f"{check} from the site", "details": {}, **extra}


def test_enrol_spends_the_code_once_and_stores_only_a_hash(gateway_admin, domain):
    row, code = EnrolmentCode.issue(gateway_admin, domain, "hq-fml", "HQ")
    assert code.replace("-", "") not in (row.code_hash, "")
    response = Client().post(ENROL, {"code": code.lower(), "version": "1.0"}, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    probe = Probe.objects.get(pk=data["probe_id"])
    assert (probe.name, probe.site, list(probe.domains.all())) == ("hq-fml", "HQ", [domain])
    assert data["secret"] not in probe.key_hash and probe.key_hash == signing_key(data["secret"]).hex()
    again = Client().post(ENROL, {"code": code}, content_type="application/json")
    assert again.status_code == 403 and "not valid" in again.json()["error"]


def test_expired_code_is_refused(gateway_admin, domain):
    row, code = EnrolmentCode.issue(gateway_admin, domain, "hq-fml", "HQ")
    EnrolmentCode.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().post(ENROL, {"code": code}, content_type="application/json")
    assert response.status_code == 403 and "expired" in response.json()["error"]
    assert not Probe.objects.exists()


@pytest.mark.parametrize("body", [b"not json", b"[1]", b'{"code": 12}', b"{}"])
def test_bad_enrolment_bodies_are_4xx(body):
    response = Client().post(ENROL, body, content_type="application/json")
    assert 400 <= response.status_code < 500


def test_poll_gives_work_only_for_the_probes_domain(
    diag, domain, other_domain, probe, django_capture_on_commit_callbacks
):
    probe_row, secret = probe
    run = start(domain, ["mx_records", "fortiguard_egress", "relay_denied"], django_capture_on_commit_callbacks)
    start(other_domain, ["mx_records"], django_capture_on_commit_callbacks)  # no probe there: portal only
    response = signed_post(POLL, {}, probe_row, secret)
    assert response.status_code == 200, response.content
    (work,) = response.json()["assignments"]
    assert work["run"] == run.pk and work["checks"] == ["mx_records", "fortiguard_egress"]
    assert work["target"]["domain"] == "one.test" and work["target"]["smtp_host"] == "smtp.one.test"
    assert "DIAG_NAMESERVERS" not in work["config"] and work["config"]["DIAG_TIMEOUT"] == "1"
    assert signed_post(POLL, {}, probe_row, secret).json()["assignments"] == []  # delivered once
    probe_row.refresh_from_db()
    assert probe_row.last_address == "127.0.0.1" and probe_row.version == "test"


def test_results_complete_the_run(diag, domain, probe, django_capture_on_commit_callbacks):
    probe_row, secret = probe
    run = start(domain, ["mx_records", "fortiguard_egress"], django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.state == "running"  # the portal's mx_records is done; the probe's two are pending
    assignment = Assignment.objects.get(run=run)
    payload = {"results": [outcome("mx_records", "fail"), outcome("fortiguard_egress", "pass")]}
    response = signed_post(results_path(assignment), payload, probe_row, secret)
    assert response.status_code == 200 and response.json() == {"recorded": 2}
    run.refresh_from_db()
    assert run.state == "finished" and run.status == "fail"
    remote = run.results.get(check_name="fortiguard_egress")
    assert remote.vantage == probe_row.key and remote.where == "probe `hq-fml` (site HQ)"
    assert remote.tested_from == "probe `hq-fml` (site HQ)"
    again = signed_post(results_path(assignment), payload, probe_row, secret)
    assert again.status_code == 409


def test_results_for_a_check_not_assigned_are_refused(diag, domain, probe, django_capture_on_commit_callbacks):
    probe_row, secret = probe
    run = start(domain, ["fortiguard_egress"], django_capture_on_commit_callbacks)
    assignment = Assignment.objects.get(run=run)
    response = signed_post(results_path(assignment), {"results": [outcome("relay_denied")]}, probe_row, secret)
    assert response.status_code == 400 and "not a check assigned" in response.json()["error"]
    assert run.results.get().is_pending


def test_foreign_run_is_refused(diag, domain, other_domain, probe, django_capture_on_commit_callbacks):
    probe_row, secret = probe
    other, other_secret = enrolled(other_domain, "branch-fml", "Branch")
    run = start(other_domain, ["fortiguard_egress"], django_capture_on_commit_callbacks)
    assignment = Assignment.objects.get(run=run, probe=other)
    response = signed_post(results_path(assignment), {"results": [outcome("fortiguard_egress")]}, probe_row, secret)
    assert response.status_code == 404 and "assigned to this probe" in response.json()["error"]
    assert run.results.get().is_pending


def test_bad_signature_is_refused(probe):
    probe_row, secret = probe
    response = signed_post(POLL, {}, probe_row, "another secret")
    assert response.status_code == 403 and response.json()["error"] == "Bad signature."
    headers = signed_headers(probe_row.pk, signing_key(secret), "POST", POLL, b"{}")
    changed_body = Client().post(POLL, b'{"wait":0}', content_type="application/json", headers=headers)
    assert changed_body.status_code == 403
    other_path = Client().post(
        "/api/probes/assignments/1/results", b"{}", content_type="application/json", headers=headers
    )
    assert other_path.status_code == 403
    probe_row.refresh_from_db()
    assert probe_row.last_seen_at is not None and not Nonce.objects.exists()  # nothing stored for a bad signature


def test_unsigned_request_is_refused(probe):
    response = Client().post(POLL, b"{}", content_type="application/json")
    assert response.status_code == 403 and "not signed" in response.json()["error"]


def test_replay_is_refused(probe):
    probe_row, secret = probe
    body = b"{}"
    headers = signed_headers(probe_row.pk, signing_key(secret), "POST", POLL, body)
    first = Client().post(POLL, body, content_type="application/json", headers=headers)
    second = Client().post(POLL, body, content_type="application/json", headers=headers)
    assert first.status_code == 200
    assert second.status_code == 403 and "replayed" in second.json()["error"]
    assert Nonce.objects.filter(probe=probe_row).count() == 1


def test_clock_skew_is_refused(probe, settings):
    probe_row, secret = probe
    response = signed_post(POLL, {}, probe_row, secret, now=time.time() - settings.PROBES_CLOCK_SKEW - 5)
    assert response.status_code == 403 and "clock" in response.json()["error"]


def test_oversized_body_is_refused(probe, settings):
    probe_row, secret = probe
    settings.PROBES_MAX_BODY = 1000
    response = signed_post(POLL, {"pad": "x" * 2000}, probe_row, secret)
    assert response.status_code == 413
    assert not Nonce.objects.exists()  # refused before anything was read or stored


def test_revoked_probe_is_refused(probe):
    probe_row, secret = probe
    probe_row.revoke()
    response = signed_post(POLL, {}, probe_row, secret)
    assert response.status_code == 403 and "revoked" in response.json()["error"]


def test_rate_limit_per_probe(probe, domain, settings):
    probe_row, secret = probe
    other, other_secret = enrolled(domain, "second", "HQ")
    settings.PROBES_RATE_LIMIT = 2
    answers = [signed_post(POLL, {}, probe_row, secret).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert signed_post(POLL, {}, other, other_secret).status_code == 200  # counted per probe


def test_get_is_not_allowed_and_forms_are_refused(gateway_admin, domain):
    assert Client().get(POLL).status_code == 405
    row, code = EnrolmentCode.issue(gateway_admin, domain, "hq-fml", "HQ")
    form = Client().post(ENROL, {"code": code})  # what a cross-site form could send
    assert form.status_code == 403 and "application/json" in form.json()["error"]
    assert not Probe.objects.exists()


def test_offline_probe_gets_no_work_and_its_runs_fail_at_the_deadline(
    diag, domain, probe, django_capture_on_commit_callbacks
):
    probe_row, secret = probe
    run = start(domain, ["fortiguard_egress"], django_capture_on_commit_callbacks)
    DiagnosticRun.objects.expire_stale(now=run.deadline_at + timedelta(seconds=1))
    run.refresh_from_db()
    assert run.state == "failed" and "probe `hq-fml` (site HQ) stopped polling" in run.error
    assert "stopped polling" in run.results.get().summary
    Probe.objects.filter(pk=probe_row.pk).update(last_seen_at=timezone.now() - timedelta(hours=1))
    later = start(domain, ["fortiguard_egress"], django_capture_on_commit_callbacks)
    later.refresh_from_db()
    assert later.state == "finished" and later.results.get().vantage == ""  # no live probe: the portal tests


def test_poll_payload_is_json(probe):
    probe_row, secret = probe
    assert json.loads(signed_post(POLL, {"wait": "soon"}, probe_row, secret).content)["error"]


def test_the_diagnose_command_path_runs_everything_on_the_portal(diag, domain, probe):
    run = services.run_checks_now(domain.target(), ["mx_records", "fortiguard_egress"], protected_domain=domain)
    assert run.state == "finished" and set(run.results.values_list("vantage", flat=True)) == {""}
    assert not Assignment.objects.exists()


def test_a_probe_without_a_key_verifies_nothing(domain):
    keyless = Probe.objects.create(name="keyless", site="HQ", key_hash="", last_seen_at=timezone.now())
    keyless.domains.add(domain)
    body = b"{}"
    timestamp, nonce = str(int(time.time())), "n" * 20
    forged = hmac.new(b"", canonical("POST", POLL, timestamp, nonce, body), hashlib.sha256).hexdigest()
    headers = {"X-Probe-Id": str(keyless.pk), "X-Probe-Timestamp": timestamp, "X-Probe-Nonce": nonce}
    response = Client().post(
        POLL, body, content_type="application/json", headers={**headers, "X-Probe-Signature": forged}
    )
    assert response.status_code == 403 and response.json()["error"] == "Bad signature."


def test_a_long_poll_waits_at_most_the_cap(probe, settings):
    probe_row, secret = probe
    settings.PROBES_POLL_WAIT_MAX = 1
    started = time.monotonic()
    response = signed_post(POLL, {"wait": 30}, probe_row, secret)
    waited = time.monotonic() - started
    assert response.status_code == 200 and response.json()["assignments"] == []
    assert 1 <= waited < 5
