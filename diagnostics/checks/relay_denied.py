"""relay_denied: does the FortiMail refuse to relay between two outside domains? (KB-0001, 550 5.7.1).

MAIL FROM DIAG_PROBE_SENDER, RCPT TO an outside domain, then RSET and QUIT; never DATA. Only a refusal of
the recipient (relay wording, RFC 3463 X.1.Y, an unknown-user text) proves that relaying is denied; a refusal
of the probe itself (HELO name, sender, client address, TLS), wherever reported, is inconclusive.
Rules: docs/diagnostics.md, "relay_denied".
"""

from __future__ import annotations

from diagnostics.checks.base import Outcome, Status, Target, gateways_are_named, in_parallel, register, worst
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.smtp_probe import SmtpSession, probe
from diagnostics.checks.smtp_replies import Subject
from diagnostics.checks.smtp_verdicts import network_failure, refused_probe

NAME = "relay_denied"
ARTICLES = ["KB-0001"]
OUTSIDE_RECIPIENT = "relay-test@example.org"
DENIAL_SUBJECTS = {Subject.RELAY, Subject.RECIPIENT}


def verdict(session: SmtpSession, config: DiagConfig) -> tuple[Status, str]:
    gateway = f"The gateway {session.host}:{session.port}"
    found = network_failure(session, config, gateway) or refused_probe(session, config, gateway, "relaying")
    if found:
        return found
    reply = session.classified("rcpt0")
    if reply is None:
        return Status.WARN, f"Inconclusive: {gateway} did not answer the relay test."
    if reply.accepted:
        return Status.FAIL, (
            f"{gateway} accepted mail from one outside domain to another ({reply.line}): it is an open relay."
        )
    if reply.subject == Subject.RELAY and reply.temporary:
        return Status.PASS, (
            f"{gateway} refuses to relay between outside domains ({reply.line}; a temporary code, as Postfix's "
            "default defer_unauth_destination gives, but the refusal names relaying)."
        )
    if reply.temporary:
        return Status.WARN, (
            f"Inconclusive: {gateway} answered the relay test with a temporary error ({reply.line}), e.g. "
            "greylisting; a 4xx says nothing about relaying."
        )
    if reply.subject in DENIAL_SUBJECTS:
        return Status.PASS, f"{gateway} refuses to relay between outside domains ({reply.line})."
    return Status.WARN, (
        f"Inconclusive: {gateway} refused the relay test ({reply.line}) without saying whether the recipient "
        "or the probe was refused; read the reply, or test from the FortiMail with the command below."
    )


def test_gateway(gateway: str, config: DiagConfig) -> dict:
    session = probe(gateway, config.smtp_port, config, config.probe_sender, [OUTSIDE_RECIPIENT])
    status, summary = verdict(session, config)
    return {
        "gateway": gateway,
        "status": str(status),
        "summary": summary,
        **session.as_details(),
        "timings": session.timings,
    }


@register(
    NAME,
    "Relay denied",
    "The FortiMail refuses to relay mail between two outside domains (RCPT TO, never DATA).",
    needs_gateway=True,
    needs_resolver=gateways_are_named,
)
def check_relay_denied(target: Target, config: DiagConfig) -> Outcome:
    gateways = in_parallel(lambda gateway: test_gateway(gateway, config), target.gateways)
    status = worst(g["status"] for g in gateways) or Status.ERROR
    summary = next(g["summary"] for g in gateways if g["status"] == status)
    if len(gateways) > 1 and status == Status.PASS:
        summary = f"All {len(gateways)} gateway addresses refuse to relay between outside domains."
    details = {
        "sender": config.probe_sender,
        "helo_name": config.helo_name,
        "recipient": OUTSIDE_RECIPIENT,
        "gateways": gateways,
        "timings": [{"label": g["gateway"], **g["timings"]} for g in gateways],
    }
    commands = [f"execute smtptest {g}:{config.smtp_port}" for g in target.gateways]
    return Outcome(NAME, status, summary, details, articles=ARTICLES, gateway_commands=commands)
