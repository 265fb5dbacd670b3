"""DIAG_HELO_NAME and DIAG_PROBE_SENDER: parsed, derived, checked by `manage.py check`, shown on the page."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from diagnostics.checks import Target, run_check
from diagnostics.checks import config as config_module
from diagnostics.checks.config import ConfigError, parse_config


def test_helo_name_from_the_setting():
    config = parse_config({"DIAG_HELO_NAME": "Portal.Example.NET."})
    assert (config.helo_name, config.helo_problem) == ("portal.example.net", "")
    assert config.probe_sender == "diagnostics@portal.example.net"


def test_helo_name_derived_from_portal_url():
    config = parse_config({"PORTAL_URL": "https://mta-portal.corp.example:8443/x"})
    assert (config.helo_name, config.helo_problem) == ("mta-portal.corp.example", "")


def test_non_fqdn_default_is_a_problem_not_a_crash(monkeypatch):
    monkeypatch.setattr(config_module, "host_fqdn", lambda: "vm")
    config = parse_config({"PORTAL_URL": "http://127.0.0.1:8000"})
    assert config.helo_name == "vm"
    assert "DIAG_HELO_NAME is not set" in config.helo_problem


def test_host_fqdn_when_portal_url_is_an_address(monkeypatch):
    monkeypatch.setattr(config_module, "host_fqdn", lambda: "portal-host.corp.example")
    config = parse_config({"PORTAL_URL": "http://127.0.0.1:8000"})
    assert (config.helo_name, config.helo_problem) == ("portal-host.corp.example", "")


@pytest.mark.parametrize("name", ["vm", "localhost", "192.0.2.1", "bad_name.example", "-x.example"])
def test_explicit_non_fqdn_is_a_problem(name):
    assert "not" in parse_config({"DIAG_HELO_NAME": name}).helo_problem


def test_probe_sender():
    assert parse_config({"DIAG_PROBE_SENDER": "<probe@portal.example.net>"}).probe_sender == "probe@portal.example.net"
    for bad in ("probe", "probe@vm", "a b@example.net", "@example.net"):
        with pytest.raises(ConfigError, match="DIAG_PROBE_SENDER"):
            parse_config({"DIAG_PROBE_SENDER": bad})


@pytest.mark.django_db  # `check` also runs the model checks, and a JSONField's asks the database what it supports
def test_system_check(settings):
    settings.DIAG_HELO_NAME = "portal.example.net"
    call_command("check")
    settings.DIAG_HELO_NAME = "vm"
    with pytest.raises(SystemCheckError, match="diagnostics.E002"):
        call_command("check")
    settings.DIAG_HELO_NAME = ""
    settings.DIAG_PROBE_SENDER = "nobody"
    with pytest.raises(SystemCheckError, match="diagnostics.E001"):
        call_command("check")


@pytest.mark.django_db
def test_diagnostics_page_shows_the_problem(client, django_user_model, settings):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("helpdesk")
    user.groups.add(Group.objects.get(name="helpdesk"))
    client.force_login(user)
    settings.DIAG_HELO_NAME = "vm"
    html = client.get(reverse("diagnostics:index")).content.decode()
    assert 'id="diag-config-problems"' in html and "DIAG_HELO_NAME &#x27;vm&#x27; is not a fully qualified" in html
    settings.DIAG_HELO_NAME = "portal.example.net"
    assert 'id="diag-config-problems"' not in client.get(reverse("diagnostics:index")).content.decode()


def test_probe_says_the_configured_name(diag):
    outcome = run_check("relay_denied", Target("one.test", ("mx.gw.test",)), diag.configure())
    transcript = outcome.details["gateways"][0]["transcript"]
    assert "C: EHLO portal.diag.test" in transcript
    assert "C: MAIL FROM:<diagnostics@portal.diag.test>" in transcript
