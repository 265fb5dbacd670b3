"""The vantage point: each run proves the portal's resolver works before a check may blame the customer."""

import time
from io import StringIO

import pytest
from django.core.management import call_command

from diagnostics import services
from diagnostics.checks import CHECK_NAMES, REGISTRY, Target, run_concurrently
from diagnostics.checks.config import ConfigError, parse_config
from diagnostics.checks.vantage import Reach, check_vantage
from diagnostics.models import ProtectedDomain

ALL_NAMED = Target("one.test", ("mx.gw.test",), "smtp.one.test")
ALL_BY_IP = Target("one.test", ("127.0.0.10",), "127.0.0.10")


def canary_queries(diag, name: str = ".") -> int:
    return sum(1 for q in diag.dns.queries if q == (name, "NS"))


def test_a_working_resolver_answers_the_root_canary(diag):
    vantage = check_vantage(diag.configure())
    assert (vantage.reach, vantage.ok, vantage.canary) == (Reach.OK, True, ".")
    assert vantage.resolver == diag.dns.address
    assert diag.dns.asked(".")


def test_a_resolver_that_does_not_answer_is_silent_and_named(diag):
    config = diag.configure(DIAG_NAMESERVERS=diag.dns.silent_address, DIAG_TIMEOUT="0.5")
    started = time.monotonic()
    vantage = check_vantage(config)
    assert time.monotonic() - started < 1.0
    assert vantage.reach == Reach.SILENT
    assert vantage.summary.startswith(
        f"The portal cannot test from here: its resolver {diag.dns.silent_address} does not answer"
    )
    assert "DIAG_NAMESERVERS" in vantage.fix


@pytest.mark.parametrize(
    ("canary", "code"),
    [("no-such-canary.test", "NXDOMAIN"), ("canary.servfail.test", "SERVFAIL"), ("canary.refusing.test", "REFUSED")],
)
def test_a_resolver_without_a_view_of_the_dns_is_blind(diag, canary, code):
    vantage = check_vantage(diag.configure(DIAG_CANARY_NAME=canary))
    assert vantage.reach == Reach.BLIND
    assert f"answers but has no view of the DNS ({code} for {canary}" in vantage.problem


def test_canary_without_records_of_its_type_still_proves_the_resolver(diag):
    assert check_vantage(diag.configure(DIAG_CANARY_NAME="mx.gw.test")).ok  # NOERROR without NS records


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("", "."), (".", "."), ("Example.COM.", "example.com."), ("root-servers.net", "root-servers.net.")],
)
def test_canary_name_setting(value, parsed):
    assert parse_config({"DIAG_CANARY_NAME": value}).canary_name == parsed


@pytest.mark.parametrize("value", ["a..b", "x" * 64 + ".com", "two words.com"])
def test_bad_canary_name_is_a_configuration_error(value):
    with pytest.raises(ConfigError, match="DIAG_CANARY_NAME"):
        parse_config({"DIAG_CANARY_NAME": value})


def test_one_canary_query_per_run_whatever_the_number_of_checks(diag):
    config = diag.configure()
    before = canary_queries(diag)
    outcomes = run_concurrently(CHECK_NAMES, ALL_NAMED, config)
    assert canary_queries(diag) - before == 1
    assert all(o.details["vantage"]["ok"] for o in outcomes)


def test_targets_given_by_ip_address_need_no_resolver(diag):
    fortiguard_by_ip = diag.http.url(host="127.0.0.1")
    config = diag.configure(DIAG_NAMESERVERS=diag.dns.silent_address, DIAG_FORTIGUARD_URLS=fortiguard_by_ip)
    names = ["fortiguard_egress", "smtp_recipient_verification", "relay_denied"]
    assert not any(REGISTRY[name].uses_resolver(ALL_BY_IP, config) for name in names)
    started = time.monotonic()
    outcomes = run_concurrently(names, ALL_BY_IP, config)
    assert time.monotonic() - started < 0.5  # nothing waited for the dead resolver
    assert [o.status for o in outcomes] == ["pass", "pass", "pass"]
    assert all("vantage" not in o.details for o in outcomes)


def test_dead_resolver_every_named_check_is_an_error_not_a_customer_failure(diag):
    config = diag.configure(DIAG_NAMESERVERS=diag.dns.silent_address)
    started = time.monotonic()
    outcomes = {o.check: o for o in run_concurrently(CHECK_NAMES, ALL_NAMED, config)}
    elapsed = time.monotonic() - started
    assert elapsed < config.timeout + 1  # the slowest check (a 1 s DNS timeout) plus at most 1 s
    assert {name: o.status for name, o in outcomes.items()} == {
        "mx_records": "error",
        "fortiguard_egress": "error",
        "dnsbl_latency": "fail",  # the resolver is its subject: not answering is its finding
        "smtp_recipient_verification": "error",
        "relay_denied": "error",
    }
    for name in ("mx_records", "fortiguard_egress", "smtp_recipient_verification", "relay_denied"):
        outcome = outcomes[name]
        assert outcome.summary.startswith("The portal cannot test from here: its resolver 127.0.0.1:")
        assert outcome.articles == [] and outcome.details["vantage"]["reach"] == "silent"
        assert outcome.details["untrusted_result"]["status"] in {"fail", "warn", "error"}
    blocklists = outcomes["dnsbl_latency"]
    assert blocklists.articles == ["KB-0007"] and diag.dns.silent_address in blocklists.summary
    assert "fas_milter" in blocklists.summary


def test_blind_resolver_is_an_error_for_every_check_including_the_blocklists(diag):
    config = diag.configure(DIAG_CANARY_NAME="no-such-canary.test")
    outcomes = run_concurrently(CHECK_NAMES, ALL_NAMED, config)
    assert {o.status for o in outcomes} == {"error"}
    assert all("has no view of the DNS" in o.summary for o in outcomes)


def test_healthy_run_takes_at_most_its_slowest_check_plus_one_second(diag):
    config = diag.configure(DIAG_DNSBL_ZONES="slow.bl.test", DIAG_URIBL_ZONES="")
    started = time.monotonic()
    outcomes = run_concurrently(CHECK_NAMES, ALL_NAMED, config)
    elapsed_ms = (time.monotonic() - started) * 1000
    assert elapsed_ms <= max(o.duration_ms for o in outcomes) + 1000
    assert all(o.details["vantage"]["ok"] for o in outcomes)


def test_results_are_reported_as_each_check_finishes(diag):
    """A check that needs no resolver is not held back by the canary."""
    config = diag.configure(DIAG_NAMESERVERS=diag.dns.silent_address)
    seen = []
    started = time.monotonic()
    run_concurrently(["relay_denied", "mx_records"], Target("one.test", ("127.0.0.10",)), config,
                     on_result=lambda o: seen.append((o.check, time.monotonic() - started)))  # fmt: skip
    assert [name for name, _ in seen] == ["relay_denied", "mx_records"]
    assert seen[0][1] < 0.5 <= seen[1][1]


@pytest.mark.django_db
def test_diagnose_table_shows_the_vantage_problem_first(diag):
    diag.configure(DIAG_NAMESERVERS=diag.dns.silent_address)
    out = StringIO()
    call_command("diagnose", "one.test", "--gateway", "mx.gw.test", "--check", "mx_records", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("one.test: ERROR")
    assert lines[2] == (
        f"THE PORTAL CANNOT TEST FROM HERE: its resolver {diag.dns.silent_address} does not answer "
        "(no reply to . NS within 1 s)."
    )
    assert lines[3].startswith("What to do: Fix DIAG_NAMESERVERS")
    assert lines[4] == "Not a finding about one.test: MX records could not test."


@pytest.mark.django_db
def test_diagnose_table_has_no_banner_when_the_resolver_works(diag):
    out = StringIO()
    call_command("diagnose", "one.test", "--gateway", "mx.gw.test", "--check", "mx_records", stdout=out)
    assert "CANNOT TEST" not in out.getvalue()


@pytest.mark.django_db
def test_run_page_shows_the_vantage_banner_apart_from_the_findings(diag, client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("helpdesk")
    user.groups.add(Group.objects.get(name="helpdesk"))
    client.force_login(user)
    diag.configure(DIAG_NAMESERVERS=diag.dns.silent_address)
    record = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    run = services.run_checks_now(record.target(), ["mx_records", "dnsbl_latency"], protected_domain=record)
    html = client.get(run.get_absolute_url()).content.decode()
    banner = html[html.index('id="vantage"') : html.index('<ol class="diag-result-list">')]
    assert "<h3>The portal cannot test from here</h3>" in banner
    assert f"Its resolver {diag.dns.silent_address} does not answer" in banner
    assert "What to do:</strong> Fix DIAG_NAMESERVERS" in banner
    assert "Not a finding about one.test: MX records could not test" in banner
    partial = client.get(run.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert 'id="vantage"' in partial  # the polled partial carries it too

    diag.configure()
    run = services.run_checks_now(record.target(), ["mx_records"], protected_domain=record)
    assert 'id="vantage"' not in client.get(run.get_absolute_url()).content.decode()


def test_a_bug_in_the_canary_does_not_lose_the_run(diag, monkeypatch):
    from diagnostics.checks import base

    def broken(config):
        raise RuntimeError("bug")

    monkeypatch.setattr(base, "check_vantage", broken)
    outcomes = run_concurrently(["mx_records", "relay_denied"], ALL_NAMED, diag.configure())
    assert [(o.check, o.status) for o in outcomes] == [("mx_records", "pass"), ("relay_denied", "pass")]
    assert all("vantage" not in o.details for o in outcomes)
