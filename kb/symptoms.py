"""Symptom patterns: how a symptom's text is recognised inside a pasted bounce or log line."""

import re

ADDRESS_RE = re.compile(r"<[^>]*>")
SMTP_REPLY_PARTS_RE = re.compile(r"^([245]\d\d)(?: [245]\.\d{1,3}\.\d{1,3})? (.+)$")


def _words(text: str) -> str:
    """Escape text, with any run of white space matching any white space and addresses matching any address."""
    parts = ADDRESS_RE.split(text)
    escaped = [r"\s+".join(re.escape(word) for word in part.split()) for part in parts]
    joined = r"<[^>\n]*>".join(escaped)
    return re.sub(r"(\\s\+)?(<\[\^>\\n\]\*>)(\\s\+)?", r"\\s*\2\\s*", joined)


def default_pattern(kind: str, text: str) -> str:
    """A case-insensitive regular expression for a symptom of `kind` ("smtp_reply", "log_message", ...)."""
    if kind == "smtp_reply":
        match = SMTP_REPLY_PARTS_RE.match(text)
        if match:
            code, words = match.groups()
            # Anything may stand between the code and the words: enhanced code, address, host names.
            return rf"\b{code}\b[^\n]{{0,200}}?\b{_words(words)}"
    if kind in ("smtp_reply", "log_message"):
        return _words(text)
    return ""
