"""Synonym sets (`kb.models.SynonymSet`, edited in the admin): a query word or phrase that belongs to a set is
searched together with the set's other words and phrases, by both engines (FTS5 and tsquery alternatives).

"backup MX" meets "lower-priority MX", "whitelisted" meets "safelist". The sets are few; they are kept per
process and reloaded when the knowledge base's generation changes (saving or deleting a set renews it) or after
SETS_MAX_AGE seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from kb.generation import KNOWLEDGE_BASE
from kb.models import SynonymSet
from kb.search.text import Token

SETS_MAX_AGE = 60.0
MAX_PHRASE_WORDS = 4


@dataclass(frozen=True)
class _Sets:
    version: str
    loaded_at: float
    by_phrase: dict[tuple[str, ...], tuple[str, ...]]  # phrase words -> every phrase of its set(s)


_sets: _Sets | None = None


def _phrases() -> dict[tuple[str, ...], tuple[str, ...]]:
    global _sets
    version = KNOWLEDGE_BASE.current()
    now = time.monotonic()
    if _sets is None or _sets.version != version or now - _sets.loaded_at > SETS_MAX_AGE:
        by_phrase: dict[tuple[str, ...], dict[str, None]] = {}
        for synonym_set in SynonymSet.objects.all():
            phrases = synonym_set.phrases()
            for phrase in phrases:
                words = tuple(phrase.split())
                if len(words) <= MAX_PHRASE_WORDS:
                    by_phrase.setdefault(words, {}).update(dict.fromkeys(phrases))
        _sets = _Sets(version, now, {words: tuple(found) for words, found in by_phrase.items()})
    return _sets.by_phrase


def word_forms(word: str) -> set[str]:
    """The word and what it may be the plural or inflected form of (bounces -> bounce; whitelisted -> whitelist)."""
    forms = {word}
    for suffix, ending in (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            forms.add(word[: -len(suffix)] + ending)
    return forms


def expand(tokens: list[Token]) -> list[Token]:
    """The tokens with synonyms: a run of words forming a phrase of a set becomes one phrase token whose
    `synonyms` are the set's other phrases (longest phrase first; codes are never part of one)."""
    by_phrase = _phrases()
    if not by_phrase:
        return tokens
    result: list[Token] = []
    i = 0
    while i < len(tokens):
        found = None
        for size in range(min(MAX_PHRASE_WORDS, len(tokens) - i), 0, -1):
            run = tokens[i : i + size]
            if any(t.code or t.prefix for t in run[:-1]) or run[-1].code:
                continue
            key = _phrase_key(run, by_phrase)
            if key:
                found = (size, key)
                break
        if found is None:
            result.append(tokens[i])
            i += 1
            continue
        size, key = found
        run = tokens[i : i + size]
        text = " ".join(t.text for t in run)
        others = tuple(p for p in by_phrase[key] if p != text)
        result.append(replace(run[-1], text=text, prefix=run[-1].prefix and size == 1, synonyms=others))
        i += size
    return result


def _phrase_key(run: list[Token], by_phrase: dict) -> tuple[str, ...] | None:
    """The set phrase these consecutive tokens spell (allowing plural and inflected forms), if any."""
    candidates: list[tuple[str, ...]] = [()]
    for token in run:
        candidates = [(*c, form) for c in candidates for form in sorted(word_forms(token.text))]
        if len(candidates) > 64:
            return None
    for candidate in candidates:
        if candidate in by_phrase:
            return candidate
    return None


def forget() -> None:
    global _sets
    _sets = None
