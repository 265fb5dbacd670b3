"""Who was refused: classify an SMTP reply by the command it answers and by what it refers to.

A reply refers to the probe itself (its HELO name, its sender, its client address, missing TLS or
authentication), to the recipient (unknown user, relaying denied), to the session (421, a refused greeting),
or to nothing we can tell. The reply code alone cannot say which: Postfix's default `smtpd_delay_reject = yes`
reports a HELO or sender rejection in answer to RCPT TO, with the text naming the real subject. So the text
comes first, then the RFC 3463 enhanced status code, then the command answered.
Basis: RFC 5321 §4.2 (reply codes), RFC 3463 (enhanced codes), RFC 3207 (530 5.7.0 STARTTLS), RFC 4954
(530 5.7.0 authentication required), Postfix smtpd(8)/postconf(5) reply texts, Exchange, Sendmail, Exim and
qmail wordings quoted in docs/diagnostics.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from diagnostics.checks.compat import StrEnum


class Subject(StrEnum):
    ACCEPTED = "accepted"
    SESSION = "session"  # the greeting was refused or the server is closing (421)
    HELO = "helo"  # the probe's HELO/EHLO name
    SENDER = "sender"  # the probe's MAIL FROM address
    CLIENT = "client"  # the portal's IP address (blocklists, reverse DNS, access lists)
    TLS = "tls"  # the probe did not use TLS
    AUTH = "auth"  # the server wants an authenticated client
    RELAY = "relay"  # the recipient's domain is not one the server accepts mail for
    RECIPIENT = "recipient"  # the recipient itself (unknown, unverified, disabled)
    GREYLIST = "greylist"  # a temporary deferral by greylisting
    UNKNOWN = "unknown"  # refused, but the reply does not say for what


# Refusals of the probe itself: nothing is learned about the recipient from them.
PROBE_SUBJECTS = frozenset({Subject.HELO, Subject.SENDER, Subject.CLIENT, Subject.TLS, Subject.AUTH})

# Text first (it names the real subject, whatever command it answers). Order matters: greylisting and the
# probe's own subjects before the recipient, because Postfix prefixes a policy deferral at RCPT with
# "Recipient address rejected: Greylisted".
TEXT_RULES: tuple[tuple[Subject, re.Pattern[str]], ...] = tuple(
    (subject, re.compile(pattern, re.IGNORECASE))
    for subject, pattern in (
        (Subject.GREYLIST, r"gr[ae]y-?list|greylisting in (action|effect)"),
        (Subject.TLS, r"must issue a starttls|starttls (is )?required|tls (is )?required|encryption required"),
        (Subject.AUTH, r"authentication required|not authenticated|must authenticate|auth(entication)? first"),
        (
            Subject.HELO,
            r"hel[lo]o command rejected|(ehlo|helo)[^.;]*(invalid|rejected|required|syntax)"
            r"|invalid (ehlo|helo|domain name)|syntactically invalid (ehlo|helo)|fully[- ]qualified hostname",
        ),
        (
            Subject.CLIENT,
            r"client host rejected|blocked using|listed (at|by) |(block|black|deny)-?list(ed)?\b|dnsbl|reverse dns"
            r"|\brdns\b|ptr record|cannot find your (host ?name|reverse)|access denied for ip|your ip",
        ),
        (
            Subject.SENDER,
            r"sender address rejected|sender verify failed|sender (domain|address) (is )?(invalid|unknown|rejected)"
            r"|send as this sender|null sender|bounce address|sender denied",
        ),
        (
            Subject.RELAY,
            r"relay(ing)? (access )?(denied|not permitted|prohibited|not allowed)|unable to relay|we do not relay"
            r"|not permitted to relay|allowed rcpthosts|non-accepted domain",
        ),
        (
            Subject.RECIPIENT,
            r"recipient address rejected|user unknown|unknown user|no such (user|mailbox|recipient)"
            r"|mailbox (unavailable|not found|disabled)|recipient not found|recipientnotfound|unrouteable address"
            r"|unverified address|undeliverable address|does not exist|invalid recipient|address rejected",
        ),
    )
)
CLOSING_CODES = frozenset({421, 521})
ENHANCED_RE = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})\b")
# RFC 3463 subjects: X.1.7 / X.1.8 are the sender's address; other X.1.Y and X.2.Y are the recipient's mailbox.
SENDER_DETAILS = {7, 8}
# RFC 7372: X.7.25 reverse DNS validation failed (the client); RFC 3463 X.7.0 is "other security", so
# only its text can tell TLS from authentication; Microsoft's 5.7.54 is "unable to relay".
CLIENT_ENHANCED = {(7, 25)}
RELAY_ENHANCED = {(7, 54)}


@dataclass(frozen=True)
class Reply:
    step: str
    code: int
    text: str
    enhanced: str
    subject: Subject
    matched: str = ""  # what decided the subject: "text", "enhanced code", "command" or ""

    @property
    def accepted(self) -> bool:
        return 200 <= self.code < 400

    @property
    def temporary(self) -> bool:
        return self.code // 100 == 4

    @property
    def permanent(self) -> bool:
        return self.code // 100 == 5

    @property
    def closing(self) -> bool:
        """421 (RFC 5321 §3.8) or a 521 greeting (Postfix's postscreen drops the connection after it)."""
        return self.code in CLOSING_CODES

    @property
    def refuses_probe(self) -> bool:
        return not self.accepted and self.subject in PROBE_SUBJECTS

    @property
    def line(self) -> str:
        return f"{self.code} {self.text}".strip()

    def as_details(self) -> dict[str, str | int]:
        return {"step": self.step, "code": self.code, "enhanced": self.enhanced, "refers_to": str(self.subject)}


def enhanced_code(text: str) -> str:
    match = ENHANCED_RE.match(text.strip())
    return ".".join(match.groups()) if match else ""


def classify(step: str, code: int, text: str) -> Reply:
    """The subject of one reply. `step` is banner, ehlo, helo, starttls, mail, rcptN, rset or quit."""
    enhanced = enhanced_code(text)
    if 200 <= code < 400:
        return Reply(step, code, text, enhanced, Subject.ACCEPTED)
    if code in CLOSING_CODES or step == "banner":
        return Reply(step, code, text, enhanced, Subject.SESSION, "command")
    for subject, pattern in TEXT_RULES:
        if pattern.search(text):
            if subject == Subject.GREYLIST and code // 100 != 4:
                continue
            return Reply(step, code, text, enhanced, subject, "text")
    if enhanced:
        _, subject_code, detail = (int(part) for part in enhanced.split("."))
        by_code = {
            1: Subject.SENDER if detail in SENDER_DETAILS else Subject.RECIPIENT,
            2: Subject.RECIPIENT,
        }.get(subject_code)
        if (subject_code, detail) in CLIENT_ENHANCED:
            by_code = Subject.CLIENT
        elif (subject_code, detail) in RELAY_ENHANCED:
            by_code = Subject.RELAY
        if by_code and (by_code != Subject.RECIPIENT or step.startswith("rcpt")):
            return Reply(step, code, text, enhanced, by_code, "enhanced code")
    by_step = {"ehlo": Subject.HELO, "helo": Subject.HELO, "starttls": Subject.TLS, "mail": Subject.SENDER}
    if step in by_step:
        return Reply(step, code, text, enhanced, by_step[step], "command")
    return Reply(step, code, text, enhanced, Subject.UNKNOWN)


PROBE_ADVICE = {
    Subject.HELO: "the probe's HELO name {helo}",
    Subject.SENDER: "the probe's sender <{sender}>",
    Subject.CLIENT: "the portal's IP address",
    Subject.TLS: "a session without TLS",
    Subject.AUTH: "an unauthenticated client",
}


def who(reply: Reply, helo: str, sender: str) -> str:
    """What the server refused, for summaries: "the probe's HELO name portal.example.net"."""
    return PROBE_ADVICE.get(reply.subject, "the probe").format(helo=helo, sender=sender)
