"""The real probe file: built by `build_probe`, run by another Python (3.11 and 3.10, no packages, `-I -S`) as a
separate process against the live portal on loopback, testing the loopback DNS/SMTP/HTTP servers."""

from __future__ import annotations

import os
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from diagnostics import services
from diagnostics.models import DiagnosticRun
from probes.models import EnrolmentCode, Probe

PYTHONS = {
    "3.11": Path("/usr/bin/python3.11"),
    "3.10": Path("/root/.pyenv/versions/3.10.13/bin/python3.10"),
}
CHECKS = ["mx_records", "fortiguard_egress", "dnsbl_latency", "smtp_recipient_verification", "relay_denied"]


def python(version: str) -> Path:
    path = PYTHONS[version]
    if not path.exists():
        pytest.fail(f"Python {version} not found at {path}")
    return path


@pytest.fixture(scope="session")
def probe_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("build") / "mta-probe.pyz"
    call_command("build_probe", "-o", str(path))
    return path


def probe(pyz: Path, *args: str, version: str = "3.11", cwd: Path) -> subprocess.CompletedProcess:
    """Run the probe file in isolated mode without site-packages: only the standard library and the file itself."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8"}
    return subprocess.run(
        [str(python(version)), "-I", "-S", str(pyz), "--state", str(cwd / "probe.json"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env,
    )


def test_the_file_holds_the_checks_and_dnspython_only(probe_file):
    names = zipfile.ZipFile(probe_file).namelist()
    assert "__main__.py" in names and "diagnostics/checks/base.py" in names and "dns/resolver.py" in names
    assert "probes/agent/client.py" in names and "probes/models.py" not in names
    assert not [n for n in names if n.startswith(("django/", "portal/", "kb/"))]


@pytest.mark.parametrize("version", ["3.11", "3.10"])
def test_enrol_poll_and_report_from_both_vantage_points(
    version, probe_file, diag, live_server, transactional_db, domain, gateway_admin, helpdesk, tmp_path
):
    diag.configure(DIAG_DNSBL_WARN="5")  # a loaded test machine is not a slow blocklist
    row, code = EnrolmentCode.issue(gateway_admin, domain, "hq-fml", "HQ")
    enrolled = probe(probe_file, "enroll", live_server.url, code, version=version, cwd=tmp_path)
    assert enrolled.returncode == 0, enrolled.stderr
    assert "Enrolled as probe 'hq-fml' (site HQ)" in enrolled.stdout
    assert stat.S_IMODE(os.stat(tmp_path / "probe.json").st_mode) == 0o600
    registered = Probe.objects.get(name="hq-fml")
    assert registered.is_online() and registered.version == "1.0"  # live from its enrolment on
    run = services.start_run(domain.target(), CHECKS, protected_domain=domain)
    run.refresh_from_db()
    assert run.state == "running"  # the portal's part is done; the probe's is waiting

    worked = probe(probe_file, "run", "--once", "--nameserver", diag.dns.address, version=version, cwd=tmp_path)
    assert worked.returncode == 0, worked.stderr
    assert f"Reported 4 result(s) of run {run.pk}" in worked.stdout
    run.refresh_from_db()
    assert run.state == "finished", run.error
    where = {(r.check_name, r.where): r.status for r in run.results.all()}
    label = "probe `hq-fml` (site HQ)"
    assert where == {
        ("mx_records", "the portal"): "pass",
        ("mx_records", label): "pass",
        ("fortiguard_egress", label): "pass",
        ("dnsbl_latency", label): "pass",
        ("smtp_recipient_verification", label): "pass",
        ("relay_denied", "the portal"): "pass",
    }
    registered.refresh_from_db()
    assert registered.last_address == "127.0.0.1" and registered.version == "1.0"

    client = Client()
    client.force_login(helpdesk)
    html = client.get(run.get_absolute_url()).content.decode()
    assert "From both vantage points" in html and "Tested from probe `hq-fml` (site HQ)." in html
    assert "Tested from the portal" in html and "Finding:" not in html


def test_a_difference_between_vantage_points_is_a_finding(
    probe_file, diag, live_server, transactional_db, domain, gateway_admin, helpdesk, tmp_path
):
    row, code = EnrolmentCode.issue(gateway_admin, domain, "hq-fml", "HQ")
    assert probe(probe_file, "enroll", live_server.url, code, cwd=tmp_path).returncode == 0
    run = services.start_run(domain.target(), ["mx_records"], protected_domain=domain)
    # the site's resolver does not answer: the probe cannot see the MX records the portal sees
    worked = probe(probe_file, "run", "--once", "--nameserver", diag.dns.silent_address, cwd=tmp_path)
    assert worked.returncode == 0, worked.stderr
    run.refresh_from_db()
    assert {r.where: r.status for r in run.results.all()} == {"the portal": "pass", "probe `hq-fml` (site HQ)": "error"}
    client = Client()
    client.force_login(helpdesk)
    html = client.get(run.get_absolute_url()).content.decode()
    assert "Finding:" in html and "the portal (pass) and from probe `hq-fml` (site HQ) (error)" in html
    assert "The probe cannot test from here" in html and 'id="vantage"' not in html  # not the portal's problem


def test_refusals_reach_the_operator(probe_file, live_server, transactional_db, domain, gateway_admin, tmp_path):
    row, code = EnrolmentCode.issue(gateway_admin, domain, "hq-fml", "HQ")
    EnrolmentCode.objects.filter(pk=row.pk).update(expires_at=timezone.now())
    expired = probe(probe_file, "enroll", live_server.url, code, cwd=tmp_path)
    assert expired.returncode == 2 and "(403)" in expired.stderr and "expired" in expired.stderr

    row, code = EnrolmentCode.issue(gateway_admin, domain, "hq-fml", "HQ")
    assert probe(probe_file, "enroll", live_server.url, code, cwd=tmp_path).returncode == 0
    state = (tmp_path / "probe.json").read_text()
    (tmp_path / "probe.json").write_text(state.replace('"secret": "', '"secret": "x'))
    forged = probe(probe_file, "run", "--once", cwd=tmp_path)
    assert forged.returncode == 2 and "(403): Bad signature." in forged.stderr
    (tmp_path / "probe.json").write_text(state)
    assert probe(probe_file, "run", "--once", cwd=tmp_path).returncode == 0

    Probe.objects.get(name="hq-fml").revoke()
    revoked = probe(probe_file, "run", "--once", cwd=tmp_path)
    assert revoked.returncode == 2 and "(403)" in revoked.stderr and "revoked" in revoked.stderr
    assert not DiagnosticRun.objects.exists()


def test_plain_http_only_to_loopback(probe_file, tmp_path):
    refused = probe(probe_file, "enroll", "http://portal.example", "CODE", cwd=tmp_path)
    assert refused.returncode == 2 and "must be reached over https" in refused.stderr
    missing = probe(probe_file, "run", "--once", cwd=tmp_path)
    assert missing.returncode == 2 and "enrol first" in missing.stderr
    version = probe(probe_file, "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == "1.0"
