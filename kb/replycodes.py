"""SMTP reply codes found anywhere in pasted text: basic codes (RFC 5321) and enhanced status codes (RFC 3463).

    >>> [c.code for c in find_codes("status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@b>: ...)")]
    ['550 5.1.1']

`find_codes(text)` returns each distinct code once, in order of appearance, as a `ReplyCode`: `.basic` (550 or
None), `.enhanced` ("5.7.1" or None), `.klass` (2 success, 4 persistent transient, 5 permanent), `.subject` and
`.detail`, `.permanent`, `.transient`, and the registry's words (`.summary`, `.description`, `.subject_summary`;
`kb/status_registry.py`) or, for a basic code alone, RFC 5321's (`.basic_description`).

What is recognised (RFC 5321 §4.2: a reply code is three digits, the first 2-5, the second 0-5; RFC 3463 §2:
class.subject.detail, class 2/4/5):
- a basic code followed by an enhanced code: `550 5.7.1`, continuation lines `550-5.7.1`, `550 #5.1.0`;
- an enhanced code alone: `5.7.54`, `(#5.7.1)`, `dsn=5.1.1`, `Status: 5.0.0`, with a subject the registry defines
  (0-7), not inside a longer dotted number (IP addresses: `4.2.2.2`) and not after a version word
  (`FortiMail 5.4.1`, `version 5.2.0`, `v5.4.1`) or a section word (`RFC 5321 section 4.2.1`, `§4.2.1`);
- a basic code alone only where replies appear: at the start of a line (`451 Try again later`), or after
  `said:`, `returned '`, `reply`, `response`, `error`, `code`, `smtp;`, `]:` (Exim's `host x [ip]: 550 ...`),
  `S:` (a client's transcript of the server's lines), `message "` (`sends back the message "554 ...`),
  an address in angle brackets (`RCPT TO:<a@b> 550 ...`), an opening parenthesis (`(451 Temporary failure)`),
  and not followed by a digit or a unit (so `in 450 seconds`, `(552 bytes)`, `size=250`, times, ports and sizes
  are not codes).
A basic code alone followed on the same line by an enhanced code alone of the same class is one reply
(`code:550|reason:hardfail|description:5.7.26`). After 100 numbers of one kind refused (a hostile paste), the
rest of the text is not read for that kind. When both are given, the basic code's first digit is the class: it
is what the sending server acts on (RFC 5321 §4.2.1); `.conflict` says when the enhanced code's class differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.status_registry import Entry, registry

MAX_CODES = 10  # distinct codes reported for one text
MAX_REFUSED = 100  # numbers looked at in context and refused, per kind, before giving up on the rest of the text

BASIC = r"[245][0-5]\d"
ENHANCED = r"[245]\.[0-7]\.\d{1,3}"
PAIR_RE = re.compile(
    rf"(?<![\w.,/@+%$-])(?P<basic>{BASIC})(?:[ \t]*-[ \t]*|[ \t]+)[\'\"]?#?(?P<enhanced>{ENHANCED})(?![\w-]|\.\d)"
)
ENHANCED_RE = re.compile(rf"(?<![\w.,/@+%$-])#?(?P<enhanced>{ENHANCED})(?![\w-]|\.\d|%)")
UNITS = r"(?:bytes?|[kmg]i?b|ms|s|secs?|seconds?|min|minutes?|hours?|days?)\b"
BASIC_RE = re.compile(rf"(?<![\w.,/@+%$#-])(?P<basic>{BASIC})(?![\w.,/:%@]|[ \t]*\d|[ \t]*{UNITS})", re.IGNORECASE)
# Where a basic code alone is a reply: the start of a line (after quoting), or after words introducing one.
REPLY_BEFORE_RE = re.compile(
    r"(?:(?:^|\n)[ \t>\"'`(\[|]*|(?:said|says|returned|responded|response|reply|replied|answered|error|code|smtp|"
    r"get|gets|got|getting|receive|received|receiving|seeing)"
    r"\W{0,4}|\]:[ \t]*|>[ \t]+|(?:^|\n)[ \t]*S:[ \t]*|message[ \t]*[\"']|\()$",
    re.IGNORECASE,
)
VERSION_BEFORE_RE = re.compile(
    r"(?:\b(?:v|ver|version|release|rel|firmware|fw|build|patch|upgraded?|forti\w*|mr\d?|postfix|exim|sendmail|"
    r"openssl|python|linux|kernel|section|sect|sec|chapter|step|page|table|figure|rfc ?\d+,?)\.?|\bv|§)[ \t:]*$",
    re.IGNORECASE,
)
VERSION_AFTER_RE = re.compile(r"^[ \t]*(?:build|ga\b|mr\d|patch|beta)", re.IGNORECASE)

# RFC 5321 §4.2.2-4.2.3 (and the RFCs named) for basic codes met without an enhanced code.
BASIC_DESCRIPTIONS = {
    211: "System status, or system help reply (RFC 5321)",
    214: "Help message (RFC 5321)",
    220: "Service ready (RFC 5321)",
    221: "Service closing transmission channel (RFC 5321)",
    250: "Requested mail action okay, completed (RFC 5321)",
    251: "User not local; will forward (RFC 5321)",
    252: "Cannot VRFY user, but will accept message and attempt delivery (RFC 5321)",
    421: "Service not available, closing transmission channel (RFC 5321)",
    432: "A password transition is needed (RFC 4954)",
    450: "Requested mail action not taken: mailbox unavailable (e.g., mailbox busy or temporarily blocked for "
    "policy reasons) (RFC 5321)",
    451: "Requested action aborted: local error in processing (RFC 5321)",
    452: "Requested action not taken: insufficient system storage (RFC 5321)",
    454: "TLS not available due to temporary reason (RFC 3207), or temporary authentication failure (RFC 4954)",
    455: "Server unable to accommodate parameters (RFC 5321)",
    500: "Syntax error, command unrecognized (RFC 5321)",
    501: "Syntax error in parameters or arguments (RFC 5321)",
    502: "Command not implemented (RFC 5321)",
    503: "Bad sequence of commands (RFC 5321)",
    504: "Command parameter not implemented (RFC 5321)",
    521: "Host does not accept mail (RFC 7504)",
    530: "Must issue a STARTTLS command first (RFC 3207), or authentication required (RFC 4954)",
    534: "Authentication mechanism is too weak (RFC 4954)",
    535: "Authentication credentials invalid (RFC 4954)",
    538: "Encryption required for requested authentication mechanism (RFC 4954)",
    550: "Requested action not taken: mailbox unavailable (e.g., mailbox not found, no access, or command "
    "rejected for policy reasons) (RFC 5321)",
    551: "User not local; please try <forward-path> (RFC 5321)",
    552: "Requested mail action aborted: exceeded storage allocation (RFC 5321)",
    553: "Requested action not taken: mailbox name not allowed (e.g., mailbox syntax incorrect) (RFC 5321)",
    554: "Transaction failed (or, in reply to a connection, no SMTP service here) (RFC 5321)",
    555: "MAIL FROM/RCPT TO parameters not recognized or not implemented (RFC 5321)",
    556: "Domain does not accept mail (RFC 7504)",
}
CLASS_WORDS = {2: "success", 4: "persistent transient failure", 5: "permanent failure"}


@dataclass(frozen=True)
class ReplyCode:
    basic: int | None  # 550
    enhanced: str | None  # "5.7.1"
    line: str  # the line of the text it was found in (stripped, at most 300 characters)

    @property
    def code(self) -> str:
        return " ".join(str(part) for part in (self.basic, self.enhanced) if part is not None)

    @property
    def klass(self) -> int:
        return self.basic // 100 if self.basic is not None else int(self.enhanced[0])

    @property
    def subject(self) -> int | None:
        return int(self.enhanced.split(".")[1]) if self.enhanced else None

    @property
    def detail(self) -> int | None:
        return int(self.enhanced.split(".")[2]) if self.enhanced else None

    @property
    def permanent(self) -> bool:
        return self.klass == 5

    @property
    def transient(self) -> bool:
        return self.klass == 4

    @property
    def conflict(self) -> bool:
        """The enhanced code's class differs from the basic code's (RFC 3463 §3 wants them to agree)."""
        return self.basic is not None and self.enhanced is not None and int(self.enhanced[0]) != self.klass

    @property
    def class_words(self) -> str:
        return CLASS_WORDS[self.klass]

    @property
    def entry(self) -> Entry | None:
        """The registry's entry for X.subject.detail (None: not registered, or no enhanced code)."""
        return registry().code(self.subject, self.detail) if self.enhanced else None

    @property
    def subject_entry(self) -> Entry | None:
        return registry().subjects.get(self.subject) if self.enhanced else None

    @property
    def summary(self) -> str:
        """The registry's short text for the enhanced code, else RFC 5321's for the basic code."""
        if self.entry and self.entry.summary:
            return self.entry.summary
        if self.subject_entry:
            return f"{self.subject_entry.summary} (detail {self.detail} is not in the registry)"
        return self.basic_description

    @property
    def description(self) -> str:
        """The registry's description of the enhanced code (its subject's when the detail is not registered)."""
        if self.entry:
            return self.entry.description or self.entry.summary
        if self.subject_entry:
            return self.subject_entry.description
        return self.basic_description

    @property
    def subject_summary(self) -> str:
        return self.subject_entry.summary if self.subject_entry else ""

    @property
    def basic_description(self) -> str:
        if self.basic is None:
            return ""
        return BASIC_DESCRIPTIONS.get(self.basic, f"Reply code {self.basic}: {CLASS_WORDS[self.klass]} (RFC 5321)")


def _normal(enhanced: str) -> str:
    return ".".join(str(int(part)) for part in enhanced.split("."))


def _line(text: str, position: int) -> str:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    line = text[start : end if end >= 0 else len(text)].strip()
    return line[:300]


def _versioned(text: str, start: int, end: int) -> bool:
    return bool(VERSION_BEFORE_RE.search(text[max(0, start - 30) : start]) or VERSION_AFTER_RE.match(text[end:]))


def _join_on_lines(text: str, found: list[tuple[int, int | None, str | None]]) -> list:
    """A basic code alone followed on its line by an enhanced code alone of the same class is one reply
    (`code:550|reason:hardfail|description:5.7.26 ...`)."""
    joined, used = [], set()
    for i, (position, basic, enhanced) in enumerate(found):
        if i in used:
            continue
        if basic is not None and enhanced is None:
            line_end = text.find("\n", position)
            line_end = len(text) if line_end < 0 else line_end
            for j in range(i + 1, len(found)):
                other_position, other_basic, other_enhanced = found[j]
                if other_position > line_end:
                    break
                if other_basic is None and j not in used and int(other_enhanced[0]) == basic // 100:
                    used.add(j)
                    enhanced = other_enhanced
                    break
        joined.append((position, basic, enhanced))
    return joined


def find_codes(text: str) -> list[ReplyCode]:
    """Every distinct reply code in the text, in order of appearance (see the module docstring); at most 10."""
    found: list[tuple[int, int | None, str | None]] = []  # (position, basic, enhanced): first of each only
    seen: set = set()
    for match in PAIR_RE.finditer(text):
        pair = (int(match["basic"]), _normal(match["enhanced"]))
        if pair not in seen:
            seen.add(pair)
            found.append((match.start(), *pair))
    paired_enhanced = {enhanced for _, _, enhanced in found}
    paired_basic = {basic for _, basic, _ in found}

    refused = 0  # candidates looked at in context and refused: bounded, so a hostile paste stays cheap
    for match in ENHANCED_RE.finditer(text):
        enhanced = _normal(match["enhanced"])
        if enhanced in paired_enhanced or enhanced in seen:  # also the pairs' own enhanced codes
            continue
        if _versioned(text, match.start(), match.end()):
            refused += 1
            if refused > MAX_REFUSED:
                break
            continue
        seen.add(enhanced)
        found.append((match.start(), None, enhanced))
    refused = 0
    for match in BASIC_RE.finditer(text):
        basic = int(match["basic"])
        if basic in paired_basic or basic in seen:  # also the pairs' own basic codes
            continue
        if not REPLY_BEFORE_RE.search(text, max(0, match.start() - 40), match.start()):
            refused += 1
            if refused > MAX_REFUSED:
                break
            continue
        seen.add(basic)
        found.append((match.start(), basic, None))

    joined = _join_on_lines(text, sorted(found, key=lambda item: item[0]))
    pairs = {(basic, enhanced) for _, basic, enhanced in joined if basic is not None and enhanced is not None}
    paired_basic, paired_enhanced = {b for b, _ in pairs}, {e for _, e in pairs}
    codes: dict[tuple[int | None, str | None], ReplyCode] = {}
    for position, basic, enhanced in joined:
        if (basic is None and enhanced in paired_enhanced) or (enhanced is None and basic in paired_basic):
            continue  # the same reply, seen alone on another line
        if (basic, enhanced) not in codes:
            codes[basic, enhanced] = ReplyCode(basic, enhanced, _line(text, position))
    return list(codes.values())[:MAX_CODES]
