import pytest

from diagnostics.checks import Target, run_check
from tests.diagnostics.scenarios import check_verdict, scenarios

NAME = "relay_denied"


@pytest.mark.parametrize("scenario", scenarios(NAME))
def test_verdict(diag, scenario):
    check_verdict(diag, scenario)


def test_relays_between_two_outside_domains_and_never_sends_data(diag):
    log = diag.smtp.handlers["127.0.0.12"].log
    log.clear()
    run_check(NAME, Target("acceptall.test", ("acceptall.test",)), diag.configure())
    assert log == ["MAIL FROM:<diagnostics@portal.diag.test>", "RCPT TO:<relay-test@example.org>", "RSET", "QUIT"]


def test_nothing_is_sent_after_a_421(diag):
    log = diag.smtp.handlers["127.0.0.15"].log
    log.clear()
    outcome = run_check(NAME, Target("closing.test", ("127.0.0.15",)), diag.configure())
    assert outcome.status == "warn"
    assert log == ["MAIL FROM:<diagnostics@portal.diag.test>", "RCPT TO:<relay-test@example.org>"]
    assert outcome.details["gateways"][0]["transcript"][-1].startswith("S: 421 4.3.2")


def test_every_gateway_is_tested_and_the_worst_wins(diag):
    outcome = run_check(NAME, Target("one.test", ("mx.gw.test", "acceptall.test")), diag.configure())
    assert outcome.status == "fail"
    assert [g["status"] for g in outcome.details["gateways"]] == ["pass", "fail"]


def test_gateways_are_tested_concurrently(diag):
    outcome = run_check(NAME, Target("stall.test", ("stall.test", "127.0.0.30")), diag.configure(DIAG_TIMEOUT="0.5"))
    assert outcome.status == "warn" and "its limit, DIAG_TIMEOUT=0.5" in outcome.summary
    assert outcome.duration_ms < 1000


def test_without_gateway_it_cannot_run(diag):
    assert run_check(NAME, Target("one.test"), diag.configure()).status == "error"
