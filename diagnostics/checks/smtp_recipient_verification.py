"""smtp_recipient_verification: does the protected SMTP server reject unknown recipients? (KB-0005, -0006, -0009).

EHLO, MAIL FROM:<>, RCPT TO a known-valid address (if one is configured) and an address that cannot exist,
then RSET and QUIT; never DATA. With a known-valid recipient the two answers are compared: only a server that
accepts the valid one and rejects the unknown one passes. A refusal of the probe itself, wherever reported,
is inconclusive; a 4xx is temporary (greylisting or an outage: the 451 article).
Rules: docs/diagnostics.md, "smtp_recipient_verification".
"""

from __future__ import annotations

import secrets

from diagnostics.checks.base import Outcome, Status, Target, register, smtp_host_is_named
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.smtp_probe import SmtpSession, probe
from diagnostics.checks.smtp_replies import Reply, Subject
from diagnostics.checks.smtp_verdicts import network_failure, refused_probe

NAME = "smtp_recipient_verification"
UNREACHABLE_ARTICLES = ["KB-0006", "KB-0005"]  # 451 Try again later; recipient verification fails
TEMPORARY_ARTICLES = ["KB-0006", "KB-0005"]
REJECTS_VALID_ARTICLES = ["KB-0009", "KB-0005"]  # Exchange rejects all mail; recipient verification fails
Verdict = tuple[Status, str, list[str]]


def temporary(server: str, reply: Reply, whose: str) -> Verdict:
    kind = "greylisting" if reply.subject == Subject.GREYLIST else "a temporary failure"
    return (
        Status.WARN,
        (
            f"The SMTP server {server} deferred {whose} ({reply.line}): {kind}, not an answer about the recipient. "
            "While it lasts the FortiMail's recipient verification gets the same 4xx and answers senders 451."
        ),
        TEMPORARY_ARTICLES,
    )


def compare(server: str, valid: Reply, unknown: Reply) -> Verdict:
    """Both recipients answered (no refusal of the probe): what the difference proves."""
    if valid.subject == Subject.RELAY:
        return does_not_take_domain(server, valid)
    if valid.temporary:
        return temporary(server, valid, "the known-valid recipient")
    if valid.accepted:
        if unknown.permanent:
            return (
                Status.PASS,
                (
                    f"The SMTP server {server} accepts the known-valid recipient and rejects an unknown one "
                    f"({unknown.line})."
                ),
                ["KB-0005"],
            )
        if unknown.accepted:
            return accepts_all(server, unknown)
        return temporary(server, unknown, "the unknown recipient")
    if (valid.code, valid.enhanced) == (unknown.code, unknown.enhanced):
        return (
            Status.WARN,
            (
                f"Inconclusive: the SMTP server {server} rejected the known-valid and the unknown recipient the same "
                f"way ({valid.line}): either the probe was refused, or the known-valid recipient does not exist. Check "
                "the address; if the FortiMail's probes are rejected the same way, all mail is rejected."
            ),
            REJECTS_VALID_ARTICLES,
        )
    return (
        Status.FAIL,
        (
            f"The SMTP server {server} rejected the known-valid recipient ({valid.line}) but answered the unknown one "
            f"differently ({unknown.line}): with verification enabled, real mail to it would be rejected."
        ),
        REJECTS_VALID_ARTICLES,
    )


def accepts_all(server: str, reply: Reply) -> Verdict:
    return (
        Status.WARN,
        (
            f"The SMTP server {server} accepts mail for any address ({reply.line}), so it cannot verify "
            "recipients: enable recipient filtering (Exchange) or use LDAP verification."
        ),
        ["KB-0009"],
    )


def does_not_take_domain(server: str, reply: Reply) -> Verdict:
    return (
        Status.FAIL,
        (
            f"The SMTP server {server} refuses the domain's recipients as relaying ({reply.line}): it does not take "
            "mail for this domain, so every verification fails. Check that this is the domain's server."
        ),
        ["KB-0005"],
    )


def alone(server: str, unknown: Reply) -> Verdict:
    """Only the unknown recipient was asked (no known-valid recipient configured)."""
    if unknown.accepted:
        return accepts_all(server, unknown)
    if unknown.subject == Subject.RELAY:
        return does_not_take_domain(server, unknown)
    if unknown.temporary:
        return temporary(server, unknown, "the unknown recipient")
    if unknown.subject == Subject.RECIPIENT:
        return Status.PASS, f"The SMTP server {server} rejects unknown recipients ({unknown.line}).", ["KB-0005"]
    return (
        Status.WARN,
        (
            f"Inconclusive: the SMTP server {server} rejected the unknown recipient ({unknown.line}) without saying "
            "why; configure a known-valid recipient for the domain so the check can compare the two answers."
        ),
        ["KB-0005"],
    )


def verdict(session: SmtpSession, config: DiagConfig, bogus_step: str, valid_step: str | None) -> Verdict:
    server = f"{session.host}:{session.port}"
    label = f"The SMTP server {server}"
    if found := network_failure(session, config, label):
        status, summary = found
        return status, summary, [] if status == Status.ERROR else UNREACHABLE_ARTICLES
    if found := refused_probe(session, config, label, "its recipients"):
        return *found, UNREACHABLE_ARTICLES
    unknown = session.classified(bogus_step)
    valid = session.classified(valid_step) if valid_step else None
    if unknown is None or (valid_step and valid is None):
        return Status.WARN, f"Inconclusive: {label} did not answer every RCPT TO.", UNREACHABLE_ARTICLES
    return compare(server, valid, unknown) if valid else alone(server, unknown)


@register(
    NAME,
    "SMTP recipient verification",
    "The protected SMTP server rejects recipients that do not exist (RCPT TO, never DATA).",
    needs_smtp=True,
    needs_resolver=smtp_host_is_named,
)
def check_smtp_recipient_verification(target: Target, config: DiagConfig) -> Outcome:
    port = target.smtp_port or config.smtp_port
    bogus = f"no-such-user-{secrets.token_hex(6)}@{target.domain}"
    recipients = ([target.valid_recipient] if target.valid_recipient else []) + [bogus]
    session = probe(target.smtp_host, port, config, "", recipients)
    valid_step = "rcpt0" if target.valid_recipient else None
    bogus_step = f"rcpt{len(recipients) - 1}"
    status, summary, articles = verdict(session, config, bogus_step, valid_step)
    details = session.as_details()
    details.update(unknown_recipient=bogus, valid_recipient=target.valid_recipient)
    details["timings"] = [{"label": f"{target.smtp_host}:{port}", **session.timings}]
    commands = [f"execute smtptest {target.smtp_host}:{port} domain {target.domain}"]
    return Outcome(NAME, status, summary, details, articles=articles, gateway_commands=commands)
