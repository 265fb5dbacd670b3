"""The verdict rules both SMTP checks share: the network failed, the session was refused, or the probe itself
was refused (its HELO name, sender, address, missing TLS or authentication), wherever the server said so.

Rules and their basis: docs/diagnostics.md, "SMTP replies: who was refused".
"""

from __future__ import annotations

from diagnostics.checks.base import Status
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.smtp_probe import SmtpSession
from diagnostics.checks.smtp_replies import Reply, Subject, who

# RFC 5321 §4.5.3.2: a client should wait 5 minutes for the greeting and for MAIL/RCPT replies.
RFC_GREETING_WAIT_S = 300


def timeout_phrase(session: SmtpSession, config: DiagConfig) -> str:
    """A portal-side timeout, worded as the portal's limit rather than the server's failure."""
    step = {"banner": "its greeting", "connect": "the connection", "dns": "the DNS lookup"}.get(
        session.error_step, f"the reply to {session.error_step.upper() or 'a command'}"
    )
    return (
        f"the portal stopped waiting for {step} after {session.waited_s:g} s (its limit, DIAG_TIMEOUT="
        f"{config.timeout:g}); RFC 5321 §4.5.3.2 lets a server take up to {RFC_GREETING_WAIT_S // 60} minutes, "
        "so this shows a slow or silent server, not a refusal"
    )


def answered(session: SmtpSession) -> list[Reply]:
    """The replies that decide a verdict, in order: greeting, final EHLO/HELO, MAIL, each RCPT."""
    steps = ["banner", "helo" if "helo" in session.replies else "ehlo", "mail"]
    steps += [step for step in session.replies if step.startswith("rcpt")]
    return [reply for step in steps if (reply := session.classified(step))]


def probe_advice(reply: Reply, session: SmtpSession, config: DiagConfig) -> str:
    """What to change when the server refused the probe itself."""
    if reply.subject == Subject.HELO:
        if config.helo_problem:
            return config.helo_problem
        return "Set DIAG_HELO_NAME to a name the server accepts (one whose A record is the portal's address)."
    if reply.subject == Subject.SENDER:
        if portal_misconfigured(reply, session, config):
            return f"{config.helo_problem} DIAG_PROBE_SENDER defaults to an address at that name."
        if not session.sender:
            return (
                "Verification probes use the null sender MAIL FROM:<> (RFC 5321 §4.5.5); if the server refuses it "
                "from the FortiMail too, its recipient verification fails: allow the null sender from the FortiMail."
            )
        return "Set DIAG_PROBE_SENDER to a real address of a domain with DNS records that the server accepts."
    if reply.subject == Subject.TLS:
        handshake = session.tls.get("handshake")
        why = f"its TLS handshake {handshake}" if handshake else "the server did not offer STARTTLS after EHLO"
        return f"The server requires TLS and the portal could not use it: {why}."
    if reply.subject == Subject.AUTH:
        return (
            f"The server takes only authenticated clients on port {session.port}: make sure this is the domain's "
            "inbound SMTP server on port 25, not a submission port."
        )
    return (
        "The server refused the portal's address (a blocklist, reverse DNS or an access list), which says nothing "
        "about the FortiMail's: allow the portal's address, or run the command below on the FortiMail."
    )


def portal_misconfigured(reply: Reply, session: SmtpSession, config: DiagConfig) -> bool:
    """The refusal is the portal's own configuration: a HELO name (or the default sender at it) not an FQDN."""
    if not config.helo_problem:
        return False
    default_sender = session.sender.endswith(f"@{config.helo_name}")
    return reply.subject == Subject.HELO or (reply.subject == Subject.SENDER and default_sender)


def refused_probe(session: SmtpSession, config: DiagConfig, label: str, topic: str) -> tuple[Status, str] | None:
    """The verdict when the server refused the session or the probe itself, wherever it said so; else None.

    Never a pass: a refusal of the HELO name, the sender, the client address, plain text or an anonymous
    client says nothing about `topic`. `error` when the portal's own configuration is the cause.
    """
    for reply in answered(session):
        if reply.accepted:
            continue
        if reply.closing or reply.step == "banner":
            what = "closed the session" if reply.code == 421 else "refused the portal's connection"
            advice = "a 421 is temporary: run the check again later" if reply.temporary else topic_unknown(topic)
            return Status.WARN, f"Inconclusive: {label} {what} ({reply.line}); {advice}."
        if reply.refuses_probe:
            where = " in reply to RCPT TO (a delayed rejection, as Postfix's smtpd_delay_reject gives)"
            where = where if reply.step.startswith("rcpt") else ""
            status = Status.ERROR if portal_misconfigured(reply, session, config) else Status.WARN
            refused = who(reply, session.helo, session.sender)
            return status, (
                f"Inconclusive: {label} refused {refused} ({reply.line}){where}, so nothing was "
                f"learned about {topic}. {probe_advice(reply, session, config)}"
            )
    return None


def topic_unknown(topic: str) -> str:
    return f"nothing was learned about {topic}"


def network_failure(session: SmtpSession, config: DiagConfig, label: str) -> tuple[Status, str] | None:
    """Unsafe address (error), the portal's timeout (warn), or a connection that failed (fail); else None."""
    if session.unsafe:
        return Status.ERROR, f"{label} was not contacted: {session.error}."
    if not session.error:
        return None
    if session.timed_out:
        return Status.WARN, f"Inconclusive: {label} did not answer in time: {timeout_phrase(session, config)}."
    if session.error_step == "dns":
        return Status.FAIL, f"{label} could not be resolved ({session.error})."
    if session.error_step == "connect" and "refused" in session.error:
        return Status.FAIL, (
            f"{label} refused the connection on port {session.port} ({session.error}): nothing listens there or a "
            "firewall rejects the portal."
        )
    if session.error_step == "connect":
        return Status.FAIL, f"{label} could not be connected to on port {session.port} ({session.error})."
    return (
        Status.WARN,
        f"Inconclusive: {label} ended the session before answering {step_name(session.error_step)} ({session.error}).",
    )


def step_name(step: str) -> str:
    if step == "banner":
        return "with its greeting"
    return f"{'RCPT TO' if step.startswith('rcpt') else step.upper() or 'a command'}"
