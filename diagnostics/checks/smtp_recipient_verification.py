"""smtp_recipient_verification: does the protected SMTP server reject unknown recipients? (KB-0005, -0006, -0009).

EHLO, MAIL FROM:<>, RCPT TO a known-valid address (if one is configured) and an address that cannot exist,
then RSET and QUIT. Never DATA.
"""

from __future__ import annotations

import secrets

from diagnostics.checks.base import Outcome, Status, Target, register, smtp_host_is_named
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.smtp_probe import SmtpSession, probe

NAME = "smtp_recipient_verification"
UNREACHABLE_ARTICLES = ["KB-0006", "KB-0005"]


def verdict(session: SmtpSession, bogus_step: str, valid_step: str | None) -> tuple[Status, str, list[str]]:
    server = f"{session.host}:{session.port}"
    if session.unsafe:
        return Status.ERROR, f"The SMTP server {server} was not contacted: {session.error}.", []
    if session.error:
        return (
            Status.FAIL,
            (
                f"The SMTP server {server} could not be checked ({session.error}); the FortiMail's recipient "
                "verification would fail the same way and answer 451."
            ),
            UNREACHABLE_ARTICLES,
        )
    code, text = session.reply("banner") or (0, "")
    if code // 100 != 2:
        return Status.FAIL, f"The SMTP server {server} refused the session: {code} {text}.", UNREACHABLE_ARTICLES
    code, text = session.reply("mail") or (0, "")
    if code // 100 != 2:
        return (
            Status.FAIL,
            (
                f"The SMTP server {server} rejected the empty sender MAIL FROM:<> ({code} {text}), which verification "
                "probes use."
            ),
            UNREACHABLE_ARTICLES,
        )
    if valid_step:
        code, text = session.reply(valid_step) or (0, "")
        if code // 100 != 2:
            return (
                Status.FAIL,
                (
                    f"The SMTP server {server} did not accept the known-valid recipient ({code} {text}): with "
                    "verification enabled, real mail would be rejected."
                ),
                ["KB-0009", "KB-0005"],
            )
    code, text = session.reply(bogus_step) or (0, "")
    if code // 100 == 5:
        return Status.PASS, f"The SMTP server {server} rejects unknown recipients ({code} {text}).", ["KB-0005"]
    if code // 100 == 2:
        return (
            Status.WARN,
            (
                f"The SMTP server {server} accepts mail for any address ({code} {text}), so it cannot verify "
                "recipients: enable recipient filtering (Exchange) or use LDAP verification."
            ),
            ["KB-0009"],
        )
    return (
        Status.FAIL,
        (
            f"The SMTP server {server} answered the recipient check with a temporary error ({code} {text}); "
            "the FortiMail would answer senders 451."
        ),
        UNREACHABLE_ARTICLES,
    )


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
    status, summary, articles = verdict(session, bogus_step, valid_step)
    details = session.as_details()
    details.update(unknown_recipient=bogus, valid_recipient=target.valid_recipient)
    details["timings"] = [{"label": f"{target.smtp_host}:{port}", **session.timings}]
    commands = [f"execute smtptest {target.smtp_host}:{port} domain {target.domain}"]
    return Outcome(NAME, status, summary, details, articles=articles, gateway_commands=commands)
