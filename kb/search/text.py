"""Query text: cleaning, the length cap, tokens, and the light stemmer of the spelling vocabulary."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 20_000  # a long pasted log (10 KB) is fine; beyond this the service refuses
MAX_TOKENS = 32  # distinct tokens used for full-text matching of long pastes
SHORT_QUERY_TOKENS = 6  # up to this many tokens all must match (then any, if nothing matched)

# Dotted status codes (5.7.1), then words of letters/digits in any script.
TOKEN_RE = re.compile(r"\d{1,3}(?:\.\d{1,3}){1,3}|[^\W_]+")
ADDRESS_RE = re.compile(r"<[^<>\s]*>|\S+@\S+")
# Host names in log lines and bounces (mx1.example.net): they name a machine, not the problem.
HOST_RE = re.compile(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b", re.IGNORECASE)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
VERSIONED_RE = re.compile(r"([^\W\d_]{3,})\d{1,4}")
MIXED_RE = re.compile(r"(?=.*\d)(?=.*[a-z])")  # queue ids, hashes: letters and digits mixed
# Function words (PostgreSQL's English stop list, so that both engines drop the same words) and question filler
# ("how do I ...", "why does my ..."): they say nothing about the problem. The function words that change its
# meaning (`not`, `but`, `only`, `both`, `all`, `no`, `nor`: "antispam only", "both bypassed", "all email is
# rejected") are kept as MEANING_WORDS: scored by `kb.search.relevance`, not searched by the engines (PostgreSQL
# cannot index them). Contractions ("doesn't") become `not`.
MEANING_WORDS = frozenset("not but only both all no nor".split())
POSTGRES_STOPWORDS = frozenset(
    "a about above after again against all am an and any are as at be because been before being below between "
    "both but by can did do does doing don down during each few for from further had has have having he her here "
    "hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of "
    "off on once only or other our ours ourselves out over own s same she should so some such t than that the "
    "their theirs them themselves then there these they this those through to too under until up very was we "
    "were what when where which while who whom why will with you your yours yourself yourselves".split()
)
STOPWORDS = (
    POSTGRES_STOPWORDS
    | frozenset(
        "im ive could would may might must shall whats get gets getting got also still please help anyone "
        "someone somebody else hi hello thanks thank d ll re ve m ca wo "
        # Log line furniture: dates and times.
        "jan feb mar apr jun jul aug sep oct nov dec mon tue wed thu fri sat sun".split()
    )
) - MEANING_WORDS
CONTRACTION_RE = re.compile(r"\b(\w+)n['’]t\b", re.IGNORECASE)


class SearchError(ValueError):
    """Input the search service refuses; the message is shown to the user (views answer 400)."""


@dataclass(frozen=True)
class Token:
    text: str  # lower case; only letters, digits, dots, and single spaces between the words of a phrase
    code: bool = False  # a reply code (550) or an enhanced status code (5.7.1)
    prefix: bool = False  # the word being typed: also match words that start with it
    synonyms: tuple[str, ...] = ()  # other words or phrases that mean the same (kb.models.SynonymSet)

    @property
    def meaning_word(self) -> bool:
        """not, but, only, both...: scored, never searched (see MEANING_WORDS)."""
        return self.text in MEANING_WORDS


def clean(query: str) -> str:
    """The query without control characters (NUL included) and surrounding space; refuses over-long input."""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"The search text is too long ({len(query)} characters; at most {MAX_QUERY_CHARS}).")
    return CONTROL_RE.sub(" ", query).strip()


def tokenize(query: str, *, typing: bool = True) -> list[Token]:
    """The tokens full-text search uses: no addresses, no queue ids, no stop words, each once, in order.

    With `typing`, a last word not followed by space is a prefix (search-as-you-type).
    """
    text = unicodedata.normalize("NFKC", HOST_RE.sub(" ", ADDRESS_RE.sub(" ", query))).lower()
    text = CONTRACTION_RE.sub(r"\1 not", text)
    matches = list(TOKEN_RE.finditer(text))
    tokens: dict[str, Token] = {}
    for match in matches:
        word = match.group(0)
        if version := VERSIONED_RE.fullmatch(word):  # exchange2019, tls1: the name is the word
            word = version.group(1)
        code = bool(re.fullmatch(r"[245]\d\d|\d(?:\.\d{1,3}){2}", word))
        if not code and (word in STOPWORDS or word.isdigit() or "." in word or _is_noise(word)):
            continue
        tokens.setdefault(word, Token(word, code=code))
    result = list(tokens.values())[:MAX_TOKENS]
    last = matches[-1] if matches else None
    typing = typing and last is not None and last.end() == len(text)
    if typing and result and result[-1].text == last.group(0) and not result[-1].code and len(result) <= 6:
        result[-1] = Token(result[-1].text, prefix=True)
    return result


def _is_noise(word: str) -> bool:
    """Single letters, overlong words, and queue ids or hashes: letters and digits mixed, long or digit-heavy
    (4BQ1x2Z3Ab012345), not names with a digit (p3scan, tls1)."""
    if len(word) > 40 or len(word) == 1:
        return True
    mixed = bool(MIXED_RE.match(word))
    return mixed and (len(word) >= 8 or (len(word) >= 6 and sum(c.isdigit() for c in word) >= 3))


def light_stem(word: str) -> str:
    """A small suffix stripper for the spelling vocabulary (the engines stem properly themselves)."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, or limit + 1 when above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def vocabulary(text: str) -> dict[str, str]:
    """stem -> word for the words of a document worth correcting towards."""
    words: dict[str, str] = {}
    for word in TOKEN_RE.findall(text.lower()):
        if len(word) >= 4 and word.isalpha() and len(word) <= 64:
            words.setdefault(light_stem(word), word)
    return words
