"""A whole diagnostic run against Postfix, stored in the database (SQLite or PostgreSQL) and shown on its page."""

import pytest
from django.contrib.auth.models import Group

from diagnostics import services
from diagnostics.checks import Target
from tests.integration.postfix.conftest import HELO_NAME
from tests.integration.postfix.server import DOMAIN, LAB, VALID

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab_settings(settings, postfix, lab_dns):
    settings.DIAG_NAMESERVERS = lab_dns.address
    settings.DIAG_TIMEOUT = "5"
    settings.DIAG_ALLOW_PRIVATE = "127.0.0.0/8"
    settings.DIAG_SMTP_PORT = str(postfix.port)
    settings.DIAG_HELO_NAME = HELO_NAME
    return settings


def test_run_stores_each_verdict_and_the_page_shows_the_refusal(lab_settings, client, django_user_model):
    target = Target(DOMAIN, (f"helo-rejected.{LAB}",), f"relay-denied.{LAB}", valid_recipient=VALID)
    lab_settings.DIAG_HELO_NAME = "vm"  # Postfix refuses it at RCPT (smtpd_delay_reject = yes)
    run = services.run_checks_now(target, ["smtp_recipient_verification", "relay_denied"])
    results = {r.check_name: r for r in run.results.all()}
    assert run.state == "finished"
    assert results["relay_denied"].status == "error"  # never "pass": the probe, not the relay, was refused
    assert "Helo command rejected" in results["relay_denied"].summary
    assert results["smtp_recipient_verification"].status == "pass"  # this server does not check HELO names
    user = django_user_model.objects.create_user("helpdesk")
    user.groups.add(Group.objects.get(name="helpdesk"))
    client.force_login(user)
    html = client.get(run.get_absolute_url()).content.decode()
    assert "Helo command rejected: need fully-qualified hostname" in html
    assert "DIAG_HELO_NAME" in html


def test_run_takes_its_slowest_check_not_the_sum(lab_settings):
    """Both SMTP checks wait 1 s for postscreen's greeting; they run side by side."""
    target = Target(DOMAIN, (f"postscreen.{LAB}",), f"postscreen.{LAB}", valid_recipient=VALID)
    run = services.run_checks_now(target, ["smtp_recipient_verification", "relay_denied"])
    results = [(r.check_name, r.status, r.duration_ms, r.summary) for r in run.results.all()]
    durations = [duration for _, _, duration, _ in results]
    assert all(d >= 900 for d in durations), results
    elapsed_ms = (run.finished_at - run.started_at).total_seconds() * 1000
    assert elapsed_ms < max(durations) + 1000, (elapsed_ms, durations)
