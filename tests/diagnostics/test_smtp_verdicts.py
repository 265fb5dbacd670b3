"""Shared SMTP verdict rules for sessions no loopback server produces on demand (built as the probe records them)."""

from diagnostics.checks.config import parse_config
from diagnostics.checks.smtp_probe import SmtpSession
from diagnostics.checks.smtp_verdicts import network_failure, refused_probe

CONFIG = parse_config({"DIAG_HELO_NAME": "portal.diag.test"})


def session(**replies: tuple[int, str]) -> SmtpSession:
    made = SmtpSession("mx.example.net", 25, helo="portal.diag.test", sender="diagnostics@portal.diag.test")
    made.replies = {"banner": (220, "mx ESMTP"), "ehlo": (250, "mx"), **replies}
    return made


def test_connection_error_other_than_refused():
    failed = SmtpSession("mx.example.net", 25, error="network is unreachable", error_step="connect")
    status, summary = network_failure(failed, CONFIG, "The gateway")
    assert status == "fail" and "could not be connected to on port 25 (network is unreachable)" in summary
    assert "refused" not in summary


def test_authentication_required_is_the_probe_refused():
    status, summary = refused_probe(session(mail=(530, "5.7.0 Authentication required")), CONFIG, "The gateway", "x")
    assert status == "warn" and "an unauthenticated client" in summary and "not a submission port" in summary


def test_tls_required_but_not_offered():
    status, summary = refused_probe(
        session(mail=(530, "5.7.0 Must issue a STARTTLS command first")), CONFIG, "The gateway", "relaying"
    )
    assert status == "warn" and "did not offer STARTTLS" in summary


def test_a_helo_refusal_answered_by_helo_after_ehlo_failed_is_no_refusal():
    accepted = session(ehlo=(502, "5.5.2 Error: command not recognized"), helo=(250, "mx"), mail=(250, "ok"))
    assert refused_probe(accepted, CONFIG, "The gateway", "relaying") is None


def test_default_sender_at_a_non_fqdn_helo_name_is_the_portals_configuration():
    config = parse_config({"DIAG_HELO_NAME": "vm"})
    refused = session(
        mail=(250, "ok"), rcpt0=(504, "5.5.2 <diagnostics@vm>: Sender address rejected: need fully-qualified address")
    )
    refused.sender = config.probe_sender
    status, summary = refused_probe(refused, config, "The gateway", "relaying")
    assert status == "error" and "DIAG_HELO_NAME 'vm'" in summary and "defaults to an address at that name" in summary
