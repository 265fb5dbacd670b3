"""Symptom patterns: how a symptom's text is recognised inside a pasted bounce or log line.

Patterns are matched with RE2 (`google-re2`), whose running time is linear in the text: they run on every search,
so a pattern an editor writes (`(a+)+$`) must not be able to stall one. RE2 has no look-arounds and no
back-references; `compile_pattern()` refuses those with a clear message when a pattern is saved.

Generated patterns tolerate what real bounces and logs put around the words: any 4xx or 5xx reply code of the
same category (RFC 5321 4.2.1: the second digit, x5x for the mail system) before them, since servers pick the code
and the permanence themselves (Postfix says `554 5.7.1` or `454 4.7.1` for the relay refusal the guide shows as
`550 5.7.1`), while the words say what happened; enhanced codes,
enhanced codes, addresses, host names, `[IP]`s and queue ids in between, and line breaks where a line was wrapped.
"""

from __future__ import annotations

import re
from typing import Protocol

import re2

ADDRESS_RE = re.compile(r"<[^>]*>")
SMTP_REPLY_PARTS_RE = re.compile(r"^[245](\d)\d(?: [245]\.\d{1,3}\.\d{1,3})? (.+)$")
GAP = r"[^\n]{0,200}?"  # what may stand between a reply code and its words on one line
# Between two words of a symptom: white space, or an address/host/[IP] where the guide shows <user@example.com>.
ADDRESS_GAP = r"\s*(?:<[^>\n]*>|\S*@\S*|\[[0-9a-f.:]+\]|[\w.-]+\.[a-z]{2,})?\s*"


AS = r"anti-?spam"
AV = r"anti-?virus"
# Replies whose wording differs between MTAs (Postfix, Sendmail, Exim, Exchange, qmail, MailEnable) but is specific
# enough to be recognised without its reply code: reply words -> the other wordings.
REPLY_WORDINGS = {
    "relay access denied": (
        r"relay\s+access\s+denied|relaying\s+denied|relay\s+not\s+permitted|unable\s+to\s+relay"
        r"|relaying\s+not\s+(?:allowed|permitted)|we\s+do\s+not\s+relay|relay\s+denied|relay\s+prohibited"
        r"|not\s+(?:allowed|permitted|authorized)\s+to\s+relay|authentication\s+required\s+(?:for|to)\s+relay"
        r"|isn.t\s+in\s+my\s+list\s+of\s+allowed\s+rcpthosts"
        r"|requires\s+authentication\s+when\s+attempting\s+to\s+send\s+to\s+a\s+non-local"
        # How users describe it: their mail to other domains is refused.
        r"|(?:unable|cannot|can.t|could\s+not)\s+(?:to\s+)?(?:send|relay)\s+(?:\w+\s+)?to\s+(?:external|outside|remote)"
        r"\s+(?:recipients|domains|addresses)"
    ),
    # Greylisting servers answer 450/451 4.x.x with these words (postgrey: "Greylisted, see ...", milter-greylist:
    # "Greylisting in action, please come back later"); the bare word "greylisting" is left to the text search.
    # Exim logs every 4xx it gives to RCPT TO as "temporarily rejected RCPT". Senders describe the same reply as
    # mail deferred, delayed, bounced or blocked by greylisting (or by postgrey, Postfix's greylisting server).
    "try again later": (
        r"gr[ea]ylisted\b|gr[ea]ylisting\s+in\s+(?:action|effect)|temporarily\s+rejected\s+RCPT\b"
        r"|(?:gr[ea]ylist\w*|postgrey)\b[^\n]{0,40}\b(?:bounc\w*|defer\w*|delay\w*|block\w*|reject\w*)"
        r"|\b(?:bounc\w*|defer\w*|delay\w*|block\w*|never\s+pass\w*)\s+(?:\w+\s+){0,3}gr[ea]ylist\w*"
    ),
}
# Log messages of other MTAs that report the same event: log message -> the other wordings.
LOG_WORDINGS = {
    # Postfix logs this when a milter does not answer a command in time (milter_*_timeout), e.g. at the end of
    # the message (SMFIC_BODYEOB): the same failure as the scanner daemon's timeout at end of message.
    "milter (mailfilterd): timeout before data read, where=eom": r"can.t\s+read\s+SMFIC_\w+\s+reply\s+packet",
}
# Behaviour symptoms are described, not quoted: these patterns recognise the usual ways of saying them.
BEHAVIOUR_PATTERNS = {
    "The FortiMail unit is bypassed": (
        r"\b(?:bypass\w*|circumvent\w*|go(?:es|ing)?\s+around)\s+(?:the\s+|our\s+)?(?:fortimail|gateway|appliance|scanner)"
        r"|\bspam\b[^\n]{0,60}\b(?:sent|delivered|going|goes|coming|comes|connect\w*)\s+directly\s+to"
        r"|\b(?:fortimail|gateway|appliance)(?:\s+unit)?\s+(?:is|was|gets|got|being|are)\s+(?:\w+\s+)?bypassed"
        r"|\b(?:backup|secondary|lower[\s-]+priority|lowest[\s-]+priority)\s+mx\b"
    ),
    "Both antispam and antivirus scans are bypassed": (
        rf"\bboth\s+(?:the\s+)?{AS}\s+and\s+{AV}|\bboth\s+(?:the\s+)?{AV}\s+and\s+{AS}"
        rf"|\bneither\s+{AS}\s+nor\s+{AV}|\bneither\s+{AV}\s+nor\s+{AS}"
        rf"|\bno\s+(?:{AS}|{AV})\s+(?:or|and|nor)\s+(?:{AV}|{AS})\s+(?:scan|check)"
        r"|\b(?:(?:e-?)?mails?|messages?)\b[^\n]{0,30}?\s(?:is\s+|are\s+)?not\s+(?:being\s+)?(?:scanned|filtered)"
        rf"|(?:\bnot|n.t)\b[^\n]{{0,40}}\b(?:{AV}\s+(?:and|or|nor)\s+{AS}|{AS}\s+(?:and|or|nor)\s+{AV})"
    ),
    "Antispam scans are bypassed, but antivirus scans are not": (
        rf"\b{AS}[^\n]{{0,80}}\b(?:bypass\w*|skipp\w*|not\s+(?:applied|scann\w*|work\w*))"
        rf"[^\n]{{0,60}}\bbut\s+(?:the\s+)?{AV}"
        rf"|\b{AV}\b[^\n]{{0,60}}\bbut\s+(?:not\s+)?(?:the\s+)?{AS}\b[^\n]{{0,40}}\b(?:bypass\w*|skipp\w*|not)\b"
        rf"|\bonly\s+(?:the\s+)?{AS}(?:\s+scans?)?\s+(?:is\s+|are\s+)?(?:bypassed|skipped)"
        rf"|\bbypass\w*\s+(?:the\s+)?(?:spam\s*filter\w*|{AS}|spam\s+(?:scan|check)\w*)"
        rf"|\b(?:spam\s*filter\w*|{AS})(?:\s+scans?)?\s+(?:is\s+|are\s+|was\s+|were\s+|gets?\s+|got\s+)?"
        r"(?:bypassed|skipped)"
        rf"|\b(?:pass|passes|passing|get\s+past|gets\s+past|slips?\s+(?:past|through))\s+(?:the\s+)?"
        rf"(?:spam\s*filter\w*|{AS})"
        # Spam that is not caught, and the causes the guide names: authenticated clients exempt from the checks,
        # compromised accounts sending spam.
        r"|\bspam\s+(?:e-?mails?\s+|messages?\s+)?(?:are\s+|is\s+)?not\s+(?:\w+\s+)?(?:detected|caught|filtered|blocked)"
        r"|\b(?:low|poor)\s+spam\s+(?:detection|catch)\s+rate|\bspam\s+detection\s+rate\s+is\s+(?:low|poor)"
        rf"|\b(?:disabl\w*|skip\w*|bypass\w*|exempt\w*)\s+(?:the\s+)?(?:rbl|dnsbl|spam|{AS})\b[^\n]{{0,40}}\bauthenticat"
        r"|\bcompromised\b[^\n]{0,120}\bspam\b"
    ),
    # A 4xx reply caused by a content filter (milter) that timed out or answered tempfail: Postfix logs the
    # milter's reply as "milter-reject: ... 451 4.7.1".
    "The FortiMail unit replies with a temporary failure SMTP reply code": (
        r"\bmilter-reject:[^\n]{0,200}\b4\d\d\b"
        r"|\b(?:4\d\d|soft[\s-]+reject\w*|tempfail\w*|temporar\w+\s+(?:failure|reject\w*))\b[^\n]{0,60}"
        r"\b(?:content\s+filter|milter|scanner|clamav|anti-?virus)\b[^\n]{0,40}\btime(?:d\s+)?out"
    ),
    "Recipient verification through SMTP fails": (
        r"\b(?:smtp\s+)?recipient\s+(?:address\s+)?(?:verification|validation)\b[^\n]{0,60}"
        r"\b(?:fail\w*|not\s+work\w*|error|timeout|timed\s+out|tempfail)"
        # Postfix's reject_unverified_recipient (address verification, ADDRESS_VERIFICATION_README).
        r"|\brecipient\s+address\s+rejected:\s*unverified\s+address"
        r"|\breject\w*\b[^\n]{0,60}\b(?:recipient|address)\s+(?:verification|validation)\b"
    ),
    "When recipient verification is enabled on the Microsoft Exchange server, all email is rejected": (
        r"\bexchange\b[^\n]{0,100}\brecipient\s+(?:verification|validation|filtering|lookup)"
        r"|\brecipient\s+(?:verification|validation|filtering|lookup)\b[^\n]{0,100}\bexchange\b"
    ),
}


class PatternError(ValueError):
    """A pattern RE2 refuses; the message says why, for the editor."""


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = 8 << 20  # a pattern compiling to more than 8 MB of automaton is refused
    return options


class CompiledPattern(Protocol):
    """What a compiled RE2 pattern offers here (google-re2 does not name its pattern class publicly)."""

    def search(self, text: str) -> object | None: ...


def compile_pattern(pattern: str) -> CompiledPattern:
    """The compiled, case-insensitive pattern; PatternError if RE2 refuses it (syntax, look-arounds, size)."""
    try:
        return re2.compile(pattern, _options())
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(
            f"Not a valid pattern ({reason}). Patterns use RE2 syntax: no look-arounds (?=…) (?<=…) and no "
            "back-references \\1."
        ) from exc


def _words(text: str) -> str:
    """Escape text, with any run of white space matching any white space and addresses matching any address."""
    parts = ADDRESS_RE.split(text)
    escaped = [r"\s+".join(re.escape(word) for word in part.split()) for part in parts]
    joined = ADDRESS_GAP.join(escaped)
    return re.sub(r"(\\s\+)?(" + re.escape(ADDRESS_GAP) + r")(\\s\+)?", lambda m: m.group(2), joined)


def default_pattern(kind: str, text: str) -> str:
    """A case-insensitive RE2 pattern for a symptom of `kind` ("smtp_reply", "log_message", ...).

    A reply is recognised by its words after any 4xx/5xx reply code of the same category (second digit) or an
    enhanced code, or by another MTA's wording of them (REPLY_WORDINGS), which is specific enough alone.
    Behaviour symptoms get their pattern from BEHAVIOUR_PATTERNS when the guide's wording of them is known;
    editors write the others in the admin.
    """
    if kind == "smtp_reply":
        match = SMTP_REPLY_PARTS_RE.match(text)
        if match:
            category, words = match.groups()
            with_code = rf"\b(?:[45]{category}\d|[45]\.\d{{1,3}}\.\d{{1,3}})\b{GAP}\b{_words(words)}"
            wording = REPLY_WORDINGS.get(words.lower().rstrip("."))
            return f"{with_code}|\\b(?:{wording})" if wording else with_code
    if kind in ("smtp_reply", "log_message"):
        wording = LOG_WORDINGS.get(text.lower().rstrip(".")) if kind == "log_message" else None
        return f"{_words(text)}|(?:{wording})" if wording else _words(text)
    return BEHAVIOUR_PATTERNS.get(text.rstrip("."), "")
