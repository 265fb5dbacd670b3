"""A gateway admin enrols a probe in the browser, the real probe file enrols with the code shown, and the admin
watches a run complete from the probe's vantage point (the run page polls until the probe reports)."""

import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import Page, expect

from diagnostics.models import DomainAdmin, ProtectedDomain
from tests.servers.fixtures import diag, dns_server, http_servers, smtp_servers  # noqa: F401 - loopback servers
from tickets.roles import GATEWAY_ADMINS, ensure_groups

PASSWORD = "correct-horse-battery"
PYTHON = Path("/usr/bin/python3.11")


@pytest.fixture
def gateway_admin(portal, settings, django_user_model):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_groups()  # the live server's database is flushed between tests
    user = django_user_model.objects.create_user("gwen", "gwen@example.com", PASSWORD)
    user.groups.add(Group.objects.get(name=GATEWAY_ADMINS))
    domain = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test", smtp_server="smtp.one.test")
    DomainAdmin.objects.create(user=user, domain=domain)
    return user


def probe(pyz: Path, state: Path, *args: str) -> subprocess.CompletedProcess:
    if not PYTHON.exists():
        pytest.fail(f"no {PYTHON}")
    command = [str(PYTHON), "-I", "-S", str(pyz), "--state", str(state), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})


def test_enrol_a_probe_and_watch_a_run_complete_from_it(page: Page, portal, gateway_admin, diag, tmp_path):  # noqa: F811
    diag.configure(DIAG_DNSBL_WARN="5")  # a loaded test machine is not a slow blocklist
    pyz = tmp_path / "mta-probe.pyz"
    call_command("build_probe", "-o", str(pyz))
    state = tmp_path / "probe.json"

    page.goto(portal + "/accounts/login/")
    page.get_by_label("Username").fill("gwen")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Probes").click()
    page.get_by_role("link", name="Enrol a probe").click()
    page.get_by_label("Domain").select_option(label="one.test")
    page.get_by_label("Name").fill("hq-fml")
    page.get_by_label("Site").fill("HQ")
    page.get_by_role("button", name="Create enrolment code").click()
    code = page.locator("#enrolment-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-F]{5}(-[0-9A-F]{5}){3}", code)

    enrolled = probe(pyz, state, "enroll", portal, code)
    assert enrolled.returncode == 0, enrolled.stderr
    page.get_by_role("link", name="Back to probes").click()
    row = page.locator("#probe-table tbody tr").filter(has_text="hq-fml")
    expect(row.locator(".probe-state")).to_have_text("online")

    page.goto(portal + "/diagnostics/")
    page.get_by_label("Protected domain").select_option(label="one.test")
    page.get_by_role("button", name="Run checks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diagnostics for one.test")
    remote = page.locator("[id^='check-fortiguard_egress-probe']")
    expect(remote).to_contain_text("Running…")

    worked = probe(pyz, state, "run", "--once", "--nameserver", diag.dns.address)
    assert worked.returncode == 0, worked.stderr
    expect(remote.locator(".badge-pass")).to_be_visible(timeout=10_000)
    expect(remote).to_contain_text("Tested from probe `hq-fml` (site HQ).")
    comparison = page.locator("#vantage-comparison")
    expect(comparison).to_contain_text("Tested from the portal")
    expect(comparison).to_contain_text("Tested from probe `hq-fml` (site HQ)")
    expect(page.locator("#run-results h2 .badge-pass")).to_be_visible()

    page.goto(portal + "/probes/")
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("#probe-table .probe-state")).to_have_text("revoked")
    refused = probe(pyz, state, "run", "--once")
    assert refused.returncode == 2 and "revoked" in refused.stderr
