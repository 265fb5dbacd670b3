"""One SMTP conversation up to RCPT TO (never DATA), shared by the relay and recipient-verification checks.

The probe behaves like a sending MTA: EHLO with DIAG_HELO_NAME (HELO if EHLO is refused), STARTTLS when the
server offers it and EHLO again (RFC 3207 §4.2), MAIL FROM, RCPT TO each recipient, RSET, QUIT. An untrusted
certificate is recorded and the probe reconnects without verifying it, and a failed handshake makes it
reconnect without TLS, as MTAs do with opportunistic TLS. After a 421 or a closed connection nothing more
is sent (RFC 5321 §3.8); after a refused greeting only QUIT (RFC 5321 §3.1).
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field

import dns.exception

from diagnostics.checks.base import Status
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.net import (
    Deadline,
    IPAddress,
    UnsafeAddress,
    VettedSMTP,
    connect,
    describe_error,
    guarded,
    is_timeout,
    make_resolver,
    ms_since,
    tls_context,
    vetted_addresses,
)
from diagnostics.checks.smtp_replies import CLOSING_CODES, Reply, Subject, classify, who

# RFC 5321 §4.5.3.2: a client should wait 5 minutes for the greeting and for MAIL/RCPT replies.
RFC_GREETING_WAIT_S = 300


@dataclass
class SmtpSession:
    host: str
    port: int
    helo: str = ""
    sender: str = ""
    address: str = ""
    transcript: list[str] = field(default_factory=list)
    timings: dict[str, int] = field(default_factory=dict)
    replies: dict[str, tuple[int, str]] = field(default_factory=dict)
    tls: dict[str, str] = field(default_factory=dict)
    error: str = ""
    error_step: str = ""
    timed_out: bool = False
    waited_s: float = 0.0
    closed: bool = False  # the server closed the session (421 or disconnect): nothing more was sent
    unsafe: bool = False

    def reply(self, step: str) -> tuple[int, str] | None:
        return self.replies.get(step)

    def classified(self, step: str) -> Reply | None:
        found = self.replies.get(step)
        return classify(step, *found) if found else None

    def as_details(self) -> dict:
        return {
            "server": f"{self.host}:{self.port}",
            "address": self.address,
            "helo_name": self.helo,
            "transcript": self.transcript,
            "replies": {
                step: {"code": code, "text": text, "refers_to": str(classify(step, code, text).subject)}
                for step, (code, text) in self.replies.items()
            },
            "tls": self.tls,
            "error": self.error,
            "error_step": self.error_step,
        }


def text_of(message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return " ".join(text.split())[:300]


class Conversation:
    """Records each command and reply of one SMTP session in the transcript."""

    def __init__(self, session: SmtpSession, smtp: VettedSMTP, deadline: Deadline, stack: ExitStack) -> None:
        self.session, self.smtp, self.deadline, self.stack = session, smtp, deadline, stack

    def say(self, step: str, command: str, call: Callable[[], tuple[int, bytes]]) -> int:
        self.session.error_step = step
        if self.smtp.sock is not None:
            self.smtp.sock.settimeout(self.deadline.remaining())
        if command:
            self.session.transcript.append(f"C: {command}")
        try:
            code, message = call()
        except smtplib.SMTPServerDisconnected:
            self.session.closed = True
            raise
        self.session.replies[step] = (code, text_of(message))
        self.session.transcript.append(f"S: {code} {text_of(message)}")
        self.session.error_step = ""
        if code in CLOSING_CODES:  # the server closes the session: say nothing more
            self.session.closed = True
        return code

    def start_tls(self, tls_mode: str, context: ssl.SSLContext) -> None:
        """STARTTLS, handshake (raises ssl errors), then EHLO again on the encrypted channel."""
        if self.say("starttls", "STARTTLS", lambda: self.smtp.docmd("STARTTLS")) != 220:
            return  # 454 and the like: carry on without TLS, as an MTA does
        self.session.error_step, started = "tls", time.monotonic()
        tls_sock = context.wrap_socket(self.smtp.sock, server_hostname=self.session.host)
        self.session.timings["tls"] = ms_since(started)
        self.stack.enter_context(guarded(tls_sock, self.deadline))
        self.smtp.sock, self.smtp.file = tls_sock, None
        cipher = tls_sock.cipher()
        self.session.tls.update(version=tls_sock.version() or "", cipher=cipher[0] if cipher else "")
        if tls_mode == "verify":
            self.session.tls["certificate"] = "trusted"
        self.session.transcript.append(f"-- TLS established ({self.session.tls['version']})")
        self.session.error_step = ""
        self.say("ehlo", f"EHLO {self.session.helo}", self.smtp.ehlo)


def converse(
    session: SmtpSession, talk: Conversation, recipients: list[str], tls_mode: str, config: DiagConfig
) -> None:
    started = time.monotonic()
    banner = talk.say("banner", "", lambda: talk.smtp.connect(session.host, session.port))
    session.timings["first_byte"] = ms_since(started)
    if banner // 100 != 2 or session.closed:
        return
    greeting = talk.say("ehlo", f"EHLO {session.helo}", talk.smtp.ehlo)
    if greeting // 100 != 2 and not session.closed:
        greeting = talk.say("helo", f"HELO {session.helo}", talk.smtp.helo)
    if greeting // 100 != 2 or session.closed:
        return
    if tls_mode != "off" and talk.smtp.has_extn("starttls"):
        talk.start_tls(tls_mode, tls_context(config) if tls_mode == "verify" else unverified_context())
        if session.closed:
            return
    sender = session.sender
    if talk.say("mail", f"MAIL FROM:<{sender}>", lambda: talk.smtp.mail(sender)) // 100 != 2 or session.closed:
        return
    for index, recipient in enumerate(recipients):
        talk.say(f"rcpt{index}", f"RCPT TO:<{recipient}>", lambda r=recipient: talk.smtp.rcpt(r))
        if session.closed:
            return


def unverified_context() -> ssl.SSLContext:
    """Opportunistic TLS: encrypt without trusting the certificate (RFC 7435), as MTAs do by default."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def goodbye(talk: Conversation) -> None:
    """RSET and QUIT, or only QUIT after a refused greeting; nothing once the server has closed the session."""
    if talk.session.closed:
        return
    banner = talk.session.reply("banner")
    steps = [("rset", "RSET", talk.smtp.rset)] if banner and banner[0] // 100 == 2 else []
    for step, command, call in [*steps, ("quit", "QUIT", talk.smtp.quit)]:
        try:
            talk.say(step, command, call)
        except (OSError, smtplib.SMTPException):
            return
        if talk.session.closed:  # e.g. 421 to RSET (Postfix's smtpd_hard_error_limit)
            return


def attempt(
    session: SmtpSession,
    address: IPAddress,
    config: DiagConfig,
    deadline: Deadline,
    recipients: list[str],
    tls_mode: str,
) -> str | None:
    """One connection; returns the TLS mode to retry with ("unverified", "off") or None when done."""
    session.replies, session.closed = {}, False
    session.error_step, started = "connect", time.monotonic()
    try:
        with ExitStack() as stack:
            sock = stack.enter_context(guarded(connect(address, session.port, deadline), deadline))
            session.timings["connect"] = ms_since(started)
            started = time.monotonic()
            smtp = VettedSMTP(sock, session.helo, config.max_response_bytes)
            stack.callback(smtp.close)
            talk = Conversation(session, smtp, deadline, stack)
            converse(session, talk, recipients, tls_mode, config)
            goodbye(talk)
    except ssl.SSLCertVerificationError as exc:
        if session.error_step != "tls":
            raise
        session.tls["certificate"] = f"not trusted ({exc.verify_message}); continued without verifying it"
        session.transcript.append("-- certificate not trusted: reconnecting without verifying it")
        return "unverified"
    except ssl.SSLError as exc:
        if session.error_step != "tls":
            raise
        session.tls["handshake"] = f"failed ({exc.reason or exc}); continued without TLS"
        session.transcript.append("-- TLS handshake failed: reconnecting without TLS")
        return "off"
    except (OSError, smtplib.SMTPException) as exc:
        record_error(session, exc, started, deadline)
    return None


def record_error(session: SmtpSession, exc: BaseException, started: float, deadline: Deadline) -> None:
    phase = {"dns": "dns", "connect": "connect", "banner": "first_byte"}.get(session.error_step)
    if phase:
        session.timings.setdefault(phase, ms_since(started))
    session.timed_out = is_timeout(exc) or deadline.end <= time.monotonic()
    session.waited_s = round(deadline.elapsed(), 1)
    session.error = describe_error(exc, time.monotonic() - started)
    if isinstance(exc, smtplib.SMTPServerDisconnected) and not session.timed_out:
        session.closed = True


def probe(host: str, port: int, config: DiagConfig, sender: str, recipients: list[str]) -> SmtpSession:
    """Resolve and vet `host`, then talk to its first allowed address (see the module docstring)."""
    deadline = Deadline(config.timeout)
    session = SmtpSession(host, port, helo=config.helo_name, sender=sender)
    session.error_step, started = "dns", time.monotonic()
    try:
        addresses = vetted_addresses(host, make_resolver(config), config, deadline)
    except UnsafeAddress as exc:
        session.unsafe, session.error = True, describe_error(exc)
        return session
    except (OSError, dns.exception.DNSException) as exc:
        record_error(session, exc, started, deadline)
        return session
    session.timings["dns"] = ms_since(started)
    session.address = str(addresses[0])
    tls_mode: str | None = "verify"
    while tls_mode:
        tls_mode = attempt(session, addresses[0], config, deadline, recipients, tls_mode)
    return session


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
            where = f" in reply to RCPT TO ({reply.matched})" if reply.step.startswith("rcpt") else ""
            status = Status.ERROR if reply.subject == Subject.HELO and config.helo_problem else Status.WARN
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
    if session.error_step == "connect":
        return Status.FAIL, (
            f"{label} refused the connection on port {session.port} ({session.error}): nothing listens there or a "
            "firewall rejects the portal."
        )
    return (
        Status.WARN,
        f"Inconclusive: {label} ended the session before answering {step_name(session.error_step)} ({session.error}).",
    )


def step_name(step: str) -> str:
    if step == "banner":
        return "with its greeting"
    return f"{'RCPT TO' if step.startswith('rcpt') else step.upper() or 'a command'}"
