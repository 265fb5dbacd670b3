# ruff: noqa: E501 - the scenario table reads best one scenario a line
"""The SMTP checks against a real Postfix: every rule of docs/diagnostics.md ("SMTP replies: who was refused",
"smtp_recipient_verification", "relay_denied") with the reply Postfix really gives."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

from diagnostics.checks import Target, run_check
from tests.integration.postfix.server import DOMAIN, GREYLISTED, LAB, VALID, VERIFY_DOMAIN

RELAY, SMTP = "relay_denied", "smtp_recipient_verification"
KB_TEMPORARY = ["KB-0006", "KB-0005"]


@dataclass(frozen=True)
class Case:
    id: str
    check: str
    listener: str
    status: str
    says: tuple[str, ...]
    domain: str = DOMAIN
    valid: str = ""
    settings: dict[str, str] = field(default_factory=dict)
    articles: tuple[str, ...] = ()

    def target(self) -> Target:
        host = f"{self.listener}.{LAB}"
        if self.check == RELAY:
            return Target(self.domain, (host,))
        return Target(self.domain, smtp_host=host, valid_recipient=self.valid)


NON_FQDN = {"DIAG_HELO_NAME": "vm"}
CASES = [
    # relay_denied
    Case("relay-denied-554", RELAY, "relay-denied", "pass", ("refuses to relay", "554 5.7.1", "Relay access denied")),
    Case("relay-denied-postfix-default-454", RELAY, "relay-deferred", "pass", ("454 4.7.1", "temporary code")),
    Case("open-relay", RELAY, "open-relay", "fail", ("open relay", "250 2.1.5")),
    Case("relay-helo-rejected-at-rcpt", RELAY, "helo-rejected", "error", ("504 5.5.2 <vm>: Helo command rejected", "in reply to RCPT TO", "DIAG_HELO_NAME"), settings=NON_FQDN),
    Case("relay-fqdn-helo-finds-open-relay", RELAY, "helo-rejected", "fail", ("open relay",)),
    Case("relay-sender-rejected", RELAY, "sender-rejected", "warn", ("Sender address rejected", "DIAG_PROBE_SENDER")),
    Case("relay-client-rejected", RELAY, "client-rejected", "warn", ("Client host rejected", "portal's address")),
    Case("relay-starttls-required", RELAY, "starttls-required", "pass", ("Relay access denied",)),
    Case("relay-starttls-handshake-fails", RELAY, "starttls-old-only", "warn", ("Must issue a STARTTLS command first", "handshake failed")),
    Case("relay-behind-postscreen", RELAY, "postscreen", "pass", ("Relay access denied",)),
    Case("relay-fqdn-helo-refused", RELAY, "helo-blocklisted", "warn", ("refused the probe's HELO name portal.diag.test", "Helo command rejected: Access denied", "a name the server accepts")),
    Case("relay-greeting-refused", RELAY, "postscreen-drop", "warn", ("refused the portal's connection (521 5.3.2",)),
    # smtp_recipient_verification
    Case("verify-compares", SMTP, "relay-denied", "pass", ("accepts the known-valid recipient and rejects an unknown one", "550 5.1.1"), valid=VALID, articles=("KB-0005",)),
    Case("verify-unknown-alone", SMTP, "relay-denied", "pass", ("rejects unknown recipients", "User unknown in relay recipient table"), articles=("KB-0005",)),
    Case("verify-accept-all", SMTP, "accept-all", "warn", ("accepts mail for any address",), valid=VALID, articles=("KB-0009",)),
    Case("verify-valid-misspelt", SMTP, "relay-denied", "warn", ("the same way", "550 5.1.1"), valid=f"valdi@{DOMAIN}", articles=("KB-0009", "KB-0005")),
    Case("verify-helo-rejected-at-rcpt", SMTP, "helo-rejected", "error", ("Helo command rejected", "in reply to RCPT TO", "DIAG_HELO_NAME"), valid=VALID, settings=NON_FQDN),
    Case("verify-null-sender-rejected", SMTP, "sender-rejected", "warn", ("554 5.7.1 <>: Sender address rejected", "null sender"), valid=VALID, articles=tuple(KB_TEMPORARY)),
    Case("verify-client-rejected", SMTP, "client-rejected", "warn", ("Client host rejected",), valid=VALID),
    Case("verify-over-starttls", SMTP, "starttls-required", "pass", ("rejects an unknown one",), valid=VALID),
    Case("verify-next-hop-down", SMTP, "unverified-next-hop-down", "warn", ("deferred the known-valid recipient (450 4.1.1", "unverified address", "temporary failure"), domain=VERIFY_DOMAIN, valid=f"valid@{VERIFY_DOMAIN}", articles=tuple(KB_TEMPORARY)),
    Case("verify-valid-rejected-differently", SMTP, "valid-blocked", "fail", ("rejected the known-valid recipient (554 5.7.1", "differently (550 5.1.1", "real mail to it would be rejected"), valid=VALID, articles=("KB-0009", "KB-0005")),
    Case("verify-greeting-refused", SMTP, "postscreen-drop", "warn", ("refused the portal's connection (521",), valid=VALID, articles=tuple(KB_TEMPORARY)),
    Case("verify-domain-not-served", SMTP, "relay-denied", "fail", ("refuses the domain's recipients as relaying",), domain="elsewhere.test", articles=("KB-0005",)),
    Case("verify-domain-not-served-454", SMTP, "relay-deferred", "fail", ("refuses the domain's recipients as relaying", "454 4.7.1"), domain="elsewhere.test", articles=("KB-0005",)),
]  # fmt: skip


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_verdict(lab, case):
    outcome = run_check(case.check, case.target(), lab(**case.settings))
    assert outcome.status == case.status, outcome.summary
    for text in case.says:
        assert text in outcome.summary, outcome.summary
    if case.articles:
        assert outcome.articles == list(case.articles)
    transcript = outcome.details["transcript"] if case.check == SMTP else outcome.details["gateways"][0]["transcript"]
    assert not any(line.startswith("C: DATA") for line in transcript)


def test_greylisted_valid_recipient_is_temporary_then_passes(lab):
    """postgrey defers the first attempt (450 4.2.0 Greylisted), lets the retry after its delay (1 s) through."""
    target = Target(DOMAIN, smtp_host=f"greylisting.{LAB}", valid_recipient=GREYLISTED)
    first = run_check(SMTP, target, lab())
    assert first.status == "warn", first.summary
    assert "Greylisted" in first.summary and "greylisting" in first.summary
    assert first.articles == KB_TEMPORARY  # the 451 article, not the Exchange one
    time.sleep(1.2)
    retry = run_check(SMTP, target, lab())
    assert retry.status == "pass", retry.summary


def test_untrusted_certificate_is_recorded_not_fatal(lab, postfix):
    untrusted = run_check(RELAY, Target(DOMAIN, (f"starttls-required.{LAB}",)), lab())
    gateway = untrusted.details["gateways"][0]
    assert untrusted.status == "pass"
    assert gateway["tls"]["certificate"].startswith("not trusted")
    assert gateway["tls"]["version"].startswith("TLS")
    assert "tls" in gateway["timings"]  # the handshake is a phase of the timing bars
    trusted = run_check(RELAY, Target(DOMAIN, (f"starttls-required.{LAB}",)), lab(DIAG_TLS_CA_FILE=str(postfix.cert)))
    assert trusted.details["gateways"][0]["tls"]["certificate"] == "trusted"
    commands = [line.split()[1] for line in trusted.details["gateways"][0]["transcript"] if line.startswith("C: ")]
    assert commands[:3] == ["EHLO", "STARTTLS", "EHLO"]


def test_multi_line_greeting_behind_postscreen(lab):
    outcome = run_check(RELAY, Target(DOMAIN, (f"postscreen.{LAB}",)), lab())
    gateway = outcome.details["gateways"][0]
    assert gateway["replies"]["banner"]["text"] == "mx.pf.test ESMTP (postscreen) mx.pf.test ESMTP"
    assert gateway["timings"]["first_byte"] >= 900  # postscreen_greet_wait = 1s before the real greeting


def test_nothing_is_sent_after_421(lab):
    """smtpd_hard_error_limit = 1: Postfix answers 421 and disconnects after the first rejected command."""
    outcome = run_check(SMTP, Target(DOMAIN, smtp_host=f"too-many-errors.{LAB}", valid_recipient=VALID), lab())
    transcript = outcome.details["transcript"]
    assert transcript[-2:] == ["C: RSET", "S: 421 4.7.0 mx.pf.test Error: too many errors"], transcript
    assert outcome.status == "pass"  # the answers to RCPT came before the 421


def test_portal_timeout_is_the_portals_limit(lab):
    """postscreen keeps the greeting for 1 s; a portal limit of 0.5 s is reported as the portal's, not a failure."""
    outcome = run_check(RELAY, Target(DOMAIN, (f"postscreen.{LAB}",)), lab(DIAG_TIMEOUT="0.5"))
    assert outcome.status == "warn"
    assert "its limit, DIAG_TIMEOUT=0.5" in outcome.summary and "RFC 5321 §4.5.3.2" in outcome.summary
    assert outcome.duration_ms < 1500


def test_unverified_recipient_with_the_next_hop_down(lab):
    """reject_unverified_recipient: the first answer is "verification in progress", the next names the refused
    connection to the next hop; both are 450, a temporary failure (the 451 article), never the Exchange one."""
    target = Target(
        VERIFY_DOMAIN, smtp_host=f"unverified-next-hop-down.{LAB}", valid_recipient=f"valid@{VERIFY_DOMAIN}"
    )
    run_check(SMTP, target, lab())
    deadline = time.monotonic() + 5
    while True:
        outcome = run_check(SMTP, target, lab())
        if "Connection refused" in outcome.summary or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert outcome.status == "warn", outcome.summary
    assert (
        "450 4.1.1 <valid@verify.test>: Recipient address rejected: unverified address: connect to" in outcome.summary
    )
    assert "Connection refused" in outcome.summary
    assert outcome.articles == KB_TEMPORARY


def test_nothing_is_sent_after_a_521_greeting(lab):
    outcome = run_check(RELAY, Target(DOMAIN, (f"postscreen-drop.{LAB}",)), lab())
    transcript = outcome.details["gateways"][0]["transcript"]
    assert transcript == ["S: 521 5.3.2 Service currently unavailable"], transcript
