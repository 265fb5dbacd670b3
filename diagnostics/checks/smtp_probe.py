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
from diagnostics.checks.smtp_replies import CLOSING_CODES, Reply, classify


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
    except ssl.SSLError as exc:
        if session.error_step != "tls":  # the encrypted session broke later: an ordinary network error
            record_error(session, exc, started, deadline)
            return None
        if isinstance(exc, ssl.SSLCertVerificationError):
            session.tls["certificate"] = f"not trusted ({exc.verify_message}); continued without verifying it"
            session.transcript.append("-- certificate not trusted: reconnecting without verifying it")
            return "unverified"
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
