"""The bounce explainer: for any pasted bounce or log line, what each reply code in it means, whether the failure
is permanent or temporary, and on whose side the problem likely is. It needs no article: it reads the codes
(`kb/replycodes.py`) and the IANA registry (`kb/status_registry.py`).

Permanent or temporary (RFC 5321 §4.2.1 reply classes; RFC 3463 §3.1 class sub-codes): the class is the basic
code's first digit, else the enhanced code's class. 5 = permanent: the sending server does not retry and the same
message fails again until something changes. 4 = temporary: the sending server keeps the message and retries; it
bounces only if the condition outlasts its retry period. 2 = success.

Whose side (first rule that applies, per code). Sides: `sender` (the sending user, their address, message,
sending server or domain), `recipient_server` (the receiving side: the recipient's mail server, a gateway in
front of it such as the FortiMail unit greylisting or scanning inbound mail, or the mailbox; a reply code does
not say which box on that side gave it), `gateway` (the server the message was handed to, refusing to relay
it), `network` (DNS, routing, connections between servers), `unclear` (the code alone does not say).
1. Wording on the code's line, which says more than the code:
   - relaying refused (`Relay access denied`, `Relaying denied`, `Unable to relay`, `relay not permitted`) ->
     `gateway`: the server the message was given to does not relay for this client to that domain (RFC 5321
     §3.6.2, relays are restricted by the relay's own policy); the guide's relay problem, also with 554 or 454;
   - a block list (`blocked using`, `blacklist`, `blocklist`, `DNSBL`, `RBL`, `Spamhaus`, `reputation`, `threat
     list`, an IP `blocked`/`banned`) ->
     `sender`: a DNS block list names the sending server's address (RFC 5782 §1);
   - SPF, DKIM or DMARC -> `sender`: these check the sending domain's own records and signatures (RFC 7372);
   - an unknown recipient (`User unknown`, `no such user`, `does not exist`, `invalid recipient`) -> `sender`: the
     address as given is not known there (RFC 3463 X.1.1; such errors "can generally be corrected by the sender").
   - an X.4 or X.1 code used against the registry's "useful only as ..." for it -> `unclear`: a permanent X.4.1
     (registered "useful only as a persistent transient error") or a temporary X.1.1 (registered "only useful for
     permanent failures") is the server's own use of the code (Exchange Online's 550 5.4.1 rejects recipients it
     does not know; Postfix's 450 4.1.1 says a recipient could not be verified), so its subject does not apply.
2. The enhanced code's subject, as RFC 3463 §3 (and the registry) assigns it:
   - X.1 addressing -> `sender` ("can generally be corrected by the sender");
   - X.2 mailbox -> `recipient_server` ("under the general control of the recipient");
   - X.3 mail system -> `recipient_server` ("under the general control of the destination system administrator");
   - X.4 network and routing -> `network` ("the destination or intermediate system administrator": DNS, routes,
     connections);
   - X.5 mail delivery protocol -> `sender`: the sending server's SMTP conversation was refused (commands,
     syntax, arguments, "implementation errors or an unreliable connection");
   - X.6 content or media -> `sender`: the message as sent must change ("under the control of both the sender
     and the receiver");
   - X.7 security or policy ("either or both the sender and recipient"): X.7.8-X.7.13 (authentication of the
     client, RFC 4954/5248) and X.7.20-X.7.27 (the sender's SPF, DKIM, reverse DNS, null MX, RFC 7372/7505) ->
     `sender`; other X.7 codes -> `recipient_server` (its policy refused this sender: "per-host or per-recipient
     filtering", X.7.1);
   - X.0 -> `unclear` (only the class is known).
3. A basic code alone (RFC 5321 §4.2.2-4.2.3; RFC 3207, 4954, 7504): 421, 450-452, 454, 455, 521, 552, 556 ->
   `recipient_server` (service, mailbox or storage of the receiving server); 500-504, 530, 534, 535, 538, 551,
   553, 555 -> `sender` (its commands, authentication or address); 550 and 554 -> `unclear` (RFC 5321 uses them
   for mailbox, access and policy failures alike); 2yz -> no problem (left out beside failures).
Who reported it: Postfix's `host NAME[IP] said:`, Exim's `host NAME [IP]:` and a DSN's `Remote-MTA: dns; NAME`
name the server that gave the reply (`reported_by`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.replycodes import ReplyCode, find_codes

SIDES = {
    "sender": "The sender's side: the address, the message, or the sending server and its domain",
    "recipient_server": "The receiving side: the recipient's mail server (or a gateway in front of it) or the mailbox",
    "gateway": "The mail gateway or server the message was handed to: it refuses to relay it",
    "network": "The network between the servers: DNS, routing or connections",
    "unclear": "Not clear from the code alone",
}
PERMANENCE = {
    5: "Permanent: the sending server does not retry; the same message fails again until something changes.",
    4: "Temporary: the sending server keeps the message and retries; it bounces only if this lasts.",
    2: "Success: this reply reports an accepted or delivered message.",
}
RELAY_RE = re.compile(
    r"relay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|prohibited)|unable to relay", re.I
)
BLOCKLIST_RE = re.compile(
    r"blocked using|black ?list|block ?list|\b(?:dnsbl|rbl)\b|spamhaus|spamcop|sorbs|barracudacentral|reputation|"
    r"threat list|\bip\b[^.;\n]{0,60}\b(?:blocked|banned|listed)\b|\b(?:blocked|banned)\b[^.;\n]{0,30}\bip\b",
    re.I,
)
AUTH_RE = re.compile(r"\b(?:spf|dkim|dmarc)\b", re.I)
UNKNOWN_USER_RE = re.compile(
    r"user unknown|unknown (?:user|recipient)|no such (?:user|mailbox|recipient)|(?:recipient|mailbox|user|address) "
    r"(?:not found|does not exist)|does not exist|invalid recipient",
    re.I,
)
REPORTER_RES = (
    re.compile(r"\bhost ([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\[[0-9a-f.:]+\] said:", re.I),  # Postfix
    re.compile(r"\bhost ([a-z0-9][a-z0-9.-]*\.[a-z]{2,}) \[[0-9a-f.:]+\]:", re.I),  # Exim
    re.compile(r"^Remote-MTA: dns; ?([a-z0-9][a-z0-9.-]*\.[a-z]{2,})", re.I | re.M),  # DSN (RFC 3464)
)
SUBJECT_SIDES = {
    0: ("unclear", "X.0: only the class of the failure is known (RFC 3463 §3.2)."),
    1: ("sender", "X.1 addressing status: such errors can generally be corrected by the sender (RFC 3463 §3.2)."),
    2: ("recipient_server", "X.2 mailbox status: mailbox issues are under the control of the recipient (RFC 3463)."),
    3: ("recipient_server", "X.3 mail system status: under the control of the destination system administrator."),
    4: ("network", "X.4 network and routing status: DNS, routing or connections between the servers (RFC 3463)."),
    5: ("sender", "X.5 protocol status: the sending server's SMTP commands were refused (RFC 3463 §3.6)."),
    6: ("sender", "X.6 content or media status: the message as sent cannot be delivered (RFC 3463 §3.7)."),
    7: ("recipient_server", "X.7 security or policy status: the receiving server's policy refused this sender."),
}
TRANSIENT_ONLY = "useful only as a persistent transient error"  # the registry's words (X.3.1, X.4.1-X.4.6)
PERMANENT_ONLY = "only useful for permanent failures"  # X.1.1-X.1.3, X.1.6
SENDER_POLICY_DETAILS = set(range(8, 14)) | set(range(20, 28))
BASIC_SIDES = {
    **dict.fromkeys((421, 450, 451, 452, 454, 455, 521, 552, 556), "recipient_server"),
    **dict.fromkeys((500, 501, 502, 503, 504, 530, 534, 535, 538, 551, 553, 555), "sender"),
}


@dataclass(frozen=True)
class CodeExplanation:
    code: ReplyCode
    side: str  # a key of SIDES ("" for a success)
    why: str

    @property
    def side_label(self) -> str:
        return SIDES.get(self.side, "")

    @property
    def permanence(self) -> str:
        return PERMANENCE[self.code.klass]

    def as_dict(self) -> dict:
        code = self.code
        return {
            "code": code.code,
            "basic": code.basic,
            "enhanced": code.enhanced,
            "class": code.klass,
            "permanent": code.permanent,
            "temporary": code.transient,
            "meaning": code.summary,
            "description": code.description,
            "permanence": self.permanence,
            "side": self.side or None,
            "side_label": self.side_label or None,
            "why": self.why,
        }


@dataclass(frozen=True)
class Explanation:
    codes: list[CodeExplanation]
    reported_by: str | None

    def as_dict(self) -> dict:
        return {"codes": [c.as_dict() for c in self.codes], "reported_by": self.reported_by}


def wording(text: str, code: ReplyCode) -> str:
    """The lines of the text that carry the code (a multi-line reply repeats it on each line), at most 2,000 chars."""
    marks = [m for m in (code.enhanced, str(code.basic) if code.basic else None) if m]
    lines = [line for line in text.splitlines() if any(mark in line for mark in marks)]
    return "\n".join(lines)[:2000] or code.line


def side_of(code: ReplyCode, text: str = "") -> tuple[str, str]:
    """(side, why) for one code, by the rules of the module docstring."""
    line = wording(text, code) if text else code.line
    if code.klass == 2:
        return "", "A success reply: nothing failed."
    if RELAY_RE.search(line):
        return "gateway", "The reply refuses relaying: the server it was handed to does not relay to that domain."
    if BLOCKLIST_RE.search(line):
        return "sender", "The reply names a block list: it lists the sending server's address."
    if AUTH_RE.search(line):
        return "sender", "The reply names SPF, DKIM or DMARC: checks of the sending domain's records."
    if UNKNOWN_USER_RE.search(line):
        return "sender", "The reply says the recipient address is unknown there: check the address (RFC 3463 X.1.1)."
    if code.enhanced and code.entry and _against_registry(code):
        kind = "temporary" if code.permanent else "permanent"
        return "unclear", (
            f"The registry defines X.{code.subject}.{code.detail} for {kind} failures only; a "
            f"{'permanent' if code.permanent else 'temporary'} {code.enhanced} is this server's own use of it "
            "(Exchange Online answers 550 5.4.1 for recipients it does not know; Postfix answers 450 4.1.1 when it "
            "could not verify an address), so the code alone does not say whose side it is."
        )
    if code.enhanced:
        if code.subject == 7 and code.detail in SENDER_POLICY_DETAILS:
            return "sender", f"{code.enhanced}: {code.summary} concerns the sender's authentication (RFC 4954/7372)."
        return SUBJECT_SIDES[code.subject]
    side = BASIC_SIDES.get(code.basic, "unclear")
    if side == "unclear":
        return side, f"{code.basic} is used for mailbox, access and policy failures alike (RFC 5321 §4.2)."
    return side, f"{code.basic}: {code.basic_description}."


def _against_registry(code: ReplyCode) -> bool:
    """The code's class contradicts the registry's "useful only as ..." for it (X.4 and X.1 codes)."""
    if code.subject not in (1, 4):
        return False
    description = code.entry.description
    return (code.permanent and TRANSIENT_ONLY in description) or (code.transient and PERMANENT_ONLY in description)


def reported_by(text: str) -> str | None:
    for pattern in REPORTER_RES:
        match = pattern.search(text)
        if match:
            return match.group(1).lower()[:253]
    return None


def explain(text: str) -> Explanation | None:
    """What the reply codes in the text say (None: no code found)."""
    codes = find_codes(text)
    failures = [code for code in codes if code.klass != 2]
    codes = failures or codes  # a success code beside failures ("expected 250 but got 550") says nothing
    if not codes:
        return None
    return Explanation([CodeExplanation(code, *side_of(code, text)) for code in codes], reported_by(text))
