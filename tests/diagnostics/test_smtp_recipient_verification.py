import pytest

from diagnostics.checks import Target, run_check
from tests.diagnostics.scenarios import check_verdict, scenarios

NAME = "smtp_recipient_verification"


@pytest.mark.parametrize("scenario", scenarios(NAME))
def test_verdict(diag, scenario):
    check_verdict(diag, scenario)


def test_conversation_stops_before_data_and_says_goodbye(diag):
    log = diag.smtp.handlers["127.0.0.10"].log
    log.clear()
    outcome = run_check(
        NAME, Target("one.test", smtp_host="smtp.one.test", valid_recipient="valid@one.test"), diag.configure()
    )
    commands = [line[3:].split(":")[0].split()[0] for line in outcome.details["transcript"] if line.startswith("C: ")]
    assert commands == ["EHLO", "MAIL", "RCPT", "RCPT", "RSET", "QUIT"]
    assert log[0] == "MAIL FROM:<>" and log[1] == "RCPT TO:<valid@one.test>"
    assert log[2].startswith("RCPT TO:<no-such-user-") and "DATA" not in log
    assert outcome.gateway_commands == [f"execute smtptest smtp.one.test:{diag.smtp.port} domain one.test"]


def test_stalled_server_times_out_at_the_timeout(diag):
    outcome = run_check(NAME, Target("stall.test", smtp_host="stall.test"), diag.configure(DIAG_TIMEOUT="0.5"))
    assert outcome.status == "warn"
    assert "RFC 5321 §4.5.3.2" in outcome.summary and "timed out" not in outcome.summary
    assert 450 <= outcome.duration_ms < 1000
    assert outcome.details["error_step"] == "banner"


def test_explicit_port_overrides_the_default(diag):
    outcome = run_check(NAME, Target("one.test", smtp_host="smtp.one.test", smtp_port=1), diag.configure())
    assert outcome.details["server"] == "smtp.one.test:1"
    assert outcome.status == "fail"


def test_without_smtp_server_it_cannot_run(diag):
    outcome = run_check(NAME, Target("one.test"), diag.configure())
    assert outcome.status == "error"
    assert "no SMTP server" in outcome.summary


def test_private_server_outside_the_allow_list_is_refused(diag):
    log = diag.smtp.handlers["127.0.0.10"].log
    log.clear()
    outcome = run_check(
        NAME, Target("one.test", smtp_host="smtp.one.test"), diag.configure(DIAG_ALLOW_PRIVATE="10.0.0.0/8")
    )
    assert outcome.status == "error"
    assert log == []
