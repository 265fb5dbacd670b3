"""relay_denied: does the FortiMail refuse to relay between two outside domains? (KB-0001, 550 5.7.1).

MAIL FROM an outside address, RCPT TO an outside domain: 5xx = pass, 2xx = open relay (fail),
4xx = inconclusive (warn, maybe greylisting). Then RSET and QUIT. Never DATA.
"""

from __future__ import annotations

from diagnostics.checks.base import Outcome, Status, Target, gateways_are_named, in_parallel, register, worst
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.smtp_probe import SmtpSession, probe

NAME = "relay_denied"
ARTICLES = ["KB-0001"]
OUTSIDE_SENDER = "relay-test@example.net"
OUTSIDE_RECIPIENT = "relay-test@example.org"


def verdict(session: SmtpSession) -> tuple[Status, str]:
    gateway = f"{session.host}:{session.port}"
    if session.unsafe:
        return Status.ERROR, f"The gateway {gateway} was not contacted: {session.error}."
    if session.error:
        return Status.FAIL, f"The gateway {gateway} could not be reached on SMTP ({session.error})."
    for step, what in (("banner", "the session"), ("mail", "the outside sender")):
        code, text = session.reply(step) or (0, "")
        if code // 100 != 2:
            return (
                Status.WARN,
                f"Inconclusive: the gateway {gateway} refused {what} ({code} {text}) before the relay test.",
            )
    code, text = session.reply("rcpt0") or (0, "")
    if code // 100 == 5:
        return Status.PASS, f"The gateway {gateway} refuses to relay between outside domains ({code} {text})."
    if code // 100 == 2:
        return Status.FAIL, (
            f"The gateway {gateway} accepted mail from one outside domain to another ({code} {text}): it is an "
            "open relay."
        )
    return (
        Status.WARN,
        f"Inconclusive: the gateway {gateway} answered the relay test with a temporary error ({code} {text}).",
    )


def test_gateway(gateway: str, config: DiagConfig) -> dict:
    session = probe(gateway, config.smtp_port, config, OUTSIDE_SENDER, [OUTSIDE_RECIPIENT])
    status, summary = verdict(session)
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
        "sender": OUTSIDE_SENDER,
        "recipient": OUTSIDE_RECIPIENT,
        "gateways": gateways,
        "timings": [{"label": g["gateway"], **g["timings"]} for g in gateways],
    }
    commands = [f"execute smtptest {g}:{config.smtp_port}" for g in target.gateways]
    return Outcome(NAME, status, summary, details, articles=ARTICLES, gateway_commands=commands)
