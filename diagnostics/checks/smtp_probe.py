"""One SMTP conversation up to RCPT TO (never DATA), shared by the relay and recipient-verification checks."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import dns.exception

from diagnostics.checks.base import tested_from
from diagnostics.checks.config import DiagConfig
from diagnostics.checks.net import (
    Deadline,
    UnsafeAddress,
    VettedSMTP,
    connect,
    describe_error,
    guarded,
    make_resolver,
    ms_since,
    vetted_addresses,
)


@dataclass
class SmtpSession:
    host: str
    port: int
    address: str = ""
    transcript: list[str] = field(default_factory=list)
    timings: dict[str, int] = field(default_factory=dict)
    replies: dict[str, tuple[int, str]] = field(default_factory=dict)
    error: str = ""
    error_step: str = ""
    unsafe: bool = False

    def reply(self, step: str) -> tuple[int, str] | None:
        return self.replies.get(step)

    def as_details(self) -> dict:
        return {
            "server": f"{self.host}:{self.port}",
            "address": self.address,
            "transcript": self.transcript,
            "replies": {step: {"code": code, "text": text} for step, (code, text) in self.replies.items()},
            "error": self.error,
            "error_step": self.error_step,
        }


def text_of(message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return " ".join(text.split())[:300]


class Conversation:
    """Records each command and reply of one SMTP session in the transcript."""

    def __init__(self, session: SmtpSession, smtp: VettedSMTP, sock_deadline: Deadline) -> None:
        self.session, self.smtp, self.deadline = session, smtp, sock_deadline

    def say(self, step: str, command: str, call: Callable[[], tuple[int, bytes]]) -> int:
        self.session.error_step = step
        if self.smtp.sock is not None:
            self.smtp.sock.settimeout(self.deadline.remaining())
        if command:
            self.session.transcript.append(f"C: {command}")
        code, message = call()
        self.session.replies[step] = (code, text_of(message))
        self.session.transcript.append(f"S: {code} {text_of(message)}")
        self.session.error_step = ""
        return code


def converse(session: SmtpSession, talk: Conversation, sender: str, recipients: list[str]) -> None:
    started = time.monotonic()
    banner = talk.say("banner", "", lambda: talk.smtp.connect(session.address, session.port))
    session.timings["first_byte"] = ms_since(started)
    if banner // 100 != 2:
        return
    if talk.say("ehlo", f"EHLO {talk.smtp.local_hostname}", talk.smtp.ehlo) // 100 != 2:
        talk.say("helo", f"HELO {talk.smtp.local_hostname}", talk.smtp.helo)
    if talk.say("mail", f"MAIL FROM:<{sender}>", lambda: talk.smtp.mail(sender)) // 100 != 2:
        return
    for index, recipient in enumerate(recipients):
        talk.say(f"rcpt{index}", f"RCPT TO:<{recipient}>", lambda r=recipient: talk.smtp.rcpt(r))


def goodbye(talk: Conversation) -> None:
    for step, command, call in (("rset", "RSET", talk.smtp.rset), ("quit", "QUIT", talk.smtp.quit)):
        try:
            talk.say(step, command, call)
        except (OSError, smtplib.SMTPException):
            return


def probe(host: str, port: int, config: DiagConfig, sender: str, recipients: list[str]) -> SmtpSession:
    """Resolve and vet `host`, connect by IP, EHLO, MAIL FROM, RCPT TO each recipient, RSET, QUIT."""
    deadline = Deadline(config.timeout)
    session = SmtpSession(host, port)
    session.error_step, started = "dns", time.monotonic()
    try:
        addresses = vetted_addresses(host, make_resolver(config), config, deadline)
        session.timings["dns"] = ms_since(started)
        session.address = str(addresses[0])
        session.error_step, started = "connect", time.monotonic()
        with guarded(connect(addresses[0], port, deadline), deadline) as sock:
            session.timings["connect"] = ms_since(started)
            started = time.monotonic()
            talk = Conversation(session, VettedSMTP(sock, tested_from(), config.max_response_bytes), deadline)
            converse(session, talk, sender, recipients)
            goodbye(talk)
    except UnsafeAddress as exc:
        session.unsafe, session.error = True, describe_error(exc)
    except (OSError, smtplib.SMTPException, dns.exception.DNSException) as exc:
        phase = {"dns": "dns", "connect": "connect", "banner": "first_byte"}.get(session.error_step)
        if phase:
            session.timings.setdefault(phase, ms_since(started))
        session.error = describe_error(exc, time.monotonic() - started)
    return session
