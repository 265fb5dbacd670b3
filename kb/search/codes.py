"""Reply codes as ranking evidence: how a code found in the query relates to the codes an article shows.

The query's codes come from `kb.replycodes.find_codes` (basic and RFC 3463 enhanced codes anywhere in the text:
`550 5.7.1`, `454 4.7.1`, `(#5.7.1)`, `5.7.54`), each with the wording of its line. An article's codes are the code
words of its search document. A code is compared by what it means, not by its digits:

- enhanced codes (RFC 3463 §3.1-3.2: class.subject.detail): the same code matches; the same subject and detail in
  the other class (4.7.1 for 5.7.1: a server's choice of permanence) nearly; the same subject with another detail
  partly (5.7.54 and 5.7.1 are both policy refusals); another subject not at all, and it is evidence *against*
  the article when the article shows enhanced codes of other subjects only (a 5.2.2 mailbox-full bounce is not
  about a 5.7.1 relay refusal, however many words they share);
- basic codes (RFC 5321 §4.2.1: the second digit is the category, x5x the mail system): the same code matches;
  the same category partly, in either class (Postfix answers the guide's `550 5.7.1` relay refusal with `554` or
  `454`: the words say which refusal it is);
- the wording around the code names the reason (relaying, a block list, SPF/DKIM/DMARC, an unknown recipient, a
  full mailbox; the words `kb.explain` also reads to say whose side a failure is on): an article that never names
  that reason does not answer the reply, so it cannot be a strong result by word coverage alone (a symptom the
  text contains still makes it strong). That is how 5.7.1 is relay only when the text says relay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.replycodes import ReplyCode

BASIC_WORD_RE = re.compile(r"[245][0-5]\d")
ENHANCED_WORD_RE = re.compile(r"[245]\.[0-7]\.\d{1,3}")

# The reason a reply states, from the wording on its line -> what an article answering it says, in its stemmed
# text (`kb.search.relevance.stem`: words lower case, ' ' around each).
REASONS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "relay": (
        re.compile(r"\brelay(?:ing)?\b[^\n]{0,20}\b(?:denied|not|prohibited|refused)|unable to relay", re.I),
        re.compile(r" relay"),
    ),
    "blocklist": (
        re.compile(r"blocked using|black ?list|block ?list|\b(?:dnsbl|rbl)\b|spamhaus|spamcop|barracudacentral", re.I),
        re.compile(r" (?:black ?list|block ?list|dnsbl|rbl|spamhau|reputat)"),
    ),
    "spf": (re.compile(r"\bspf\b", re.I), re.compile(r" spf ")),
    "dkim": (re.compile(r"\bdkim\b", re.I), re.compile(r" dkim ")),
    "dmarc": (re.compile(r"\bdmarc\b", re.I), re.compile(r" dmarc ")),
    "unknown recipient": (
        re.compile(
            r"user unknown|unknown (?:user|recipient)|no such (?:user|mailbox|recipient)|recipnotfound"
            r"|(?:recipient|mailbox|user|address) (?:not found|does not exist|unknown)|invalid recipient",
            re.I,
        ),
        re.compile(
            r" (?:unknown (?:user|recipient|address|mailbox)|(?:user|recipient|address|mailbox) unknown"
            r"|invalid (?:user|recipient|address|mailbox)|no such (?:user|recipient|mailbox)|non ?existent"
            r"|(?:doe|does|do) not exist|recipnotfound) "
        ),
    ),
    "quota": (
        re.compile(r"mailbox (?:is )?full|over ?quota|quota exceeded|exceeded storage|insufficient storage", re.I),
        re.compile(r" (?:quota|mailbox (?:is )?full|full mailbox|storag)"),
    ),
}


@dataclass(frozen=True)
class Code:
    """A reply code of the query: its parts, and the reasons its wording states."""

    basic: int | None
    enhanced: tuple[int, int, int] | None
    reasons: frozenset[str] = frozenset()

    @property
    def words(self) -> tuple[str, ...]:
        """The query tokens it stands for ('550', '5.7.1')."""
        parts = [str(self.basic)] if self.basic is not None else []
        return (*parts, ".".join(map(str, self.enhanced))) if self.enhanced else tuple(parts)


def parse_enhanced(word: str) -> tuple[int, int, int] | None:
    if not ENHANCED_WORD_RE.fullmatch(word):
        return None
    klass, subject, detail = (int(part) for part in word.split("."))
    return klass, subject, detail


def from_reply(code: ReplyCode, text: str) -> Code:
    line = code.line or text[:300]
    reasons = frozenset(name for name, (pattern, _) in REASONS.items() if pattern.search(line))
    return Code(code.basic, parse_enhanced(code.enhanced) if code.enhanced else None, reasons)


def from_word(word: str) -> Code | None:
    """A code token the parser did not confirm (`postfix 550`, typed codes): its digits, no wording."""
    if BASIC_WORD_RE.fullmatch(word):
        return Code(int(word), None)
    enhanced = parse_enhanced(word)
    return Code(None, enhanced) if enhanced else None


def document_codes(counts: dict[str, int]) -> tuple[tuple[int, ...], tuple[tuple[int, int, int], ...]]:
    """(basic codes, enhanced codes) among a field's words."""
    basic = tuple(int(w) for w in counts if len(w) == 3 and BASIC_WORD_RE.fullmatch(w))
    enhanced = tuple(e for w in counts if "." in w and (e := parse_enhanced(w)))
    return basic, enhanced


def similarity(code: Code, basic: tuple[int, ...], enhanced: tuple[tuple[int, int, int], ...]) -> float:
    """0-1: how well a field's codes answer the query code (see the module docstring)."""
    best = 0.0
    if code.enhanced:
        klass, subject, detail = code.enhanced
        for other in enhanced:
            if other == code.enhanced:
                return 1.0
            if other[1] == subject:
                best = max(best, (0.8 if other[2] == detail else 0.5) * (1.0 if other[0] == klass else 0.9))
    if code.basic is not None:
        for other in basic:
            if other == code.basic:
                best = max(best, 1.0 if not code.enhanced else 0.6)
            elif other // 10 % 10 == code.basic // 10 % 10:  # same category (RFC 5321 §4.2.1)
                best = max(best, 0.5 if other // 100 == code.basic // 100 else 0.35)
    return best


def contradicts(code: Code, enhanced: set[tuple[int, int, int]]) -> bool:
    """The article shows enhanced codes, none of the query code's subject: it is about another kind of failure."""
    return bool(code.enhanced and enhanced) and all(other[1] != code.enhanced[1] for other in enhanced)


def answers_reasons(code: Code, stemmed_text: str) -> bool:
    """The article (its stemmed text) names every reason the code's wording states (or it states none)."""
    return all(REASONS[name][1].search(stemmed_text) for name in code.reasons)
