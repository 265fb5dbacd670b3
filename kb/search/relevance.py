"""How closely an article answers the query: the same scoring and the same strong/weak rule on both engines.

The engines find and pre-rank candidates (FTS5 bm25, PostgreSQL ts_rank); the best RERANKED of them are scored
here, in Python, from their search documents, so that quality does not depend on the database:

- The query is a list of concepts: a word or phrase with its synonyms and spelling correction. A concept counts
  once, by the most important field it occurs in (title 1.0 > symptoms 0.8 > causes 0.6 > body 0.4): long
  articles gain nothing from repeating a word, and lose nothing for their length.
- Concepts are weighted by what they say about the problem: a word 1.0; a word every mail article uses (mail,
  server, FortiMail...) or a negation/quantifier kept from the stop words (not, only, both) 0.4; a reply code 0.3
  (RFC 5321 codes are shared by many conditions: the words say which one, `kb.symptoms` reads both together).
- `score` is the weighted, field-weighted share of the concepts the article has (0-1); `coverage` the weighted
  share it has at all.

Strong (an answer, not just a related article): the pasted text contains one of the article's symptoms (its
pattern matched), or the article has at least STRONG_COVERAGE of the query's weighted concepts, words among them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.search.text import Token

RERANKED = 50  # candidates (best by the engine's own rank) scored here
STRONG_COVERAGE = 0.75
FIELD_WEIGHTS = {"title": 1.0, "symptoms": 0.8, "causes": 0.6, "body": 0.4}
CODE_WEIGHT = 0.3
MINOR_WEIGHT = 0.4
# Words nearly every article of a mail-gateway KB uses, and the stop-word exceptions kept for their meaning.
MINOR_WORDS = frozenset(
    "mail email emails message messages server servers fortimail unit smtp user users not but only both all no "
    "send sending sent receive receiving received problem issue error work working works".split()
)
WORD_RE = re.compile(r"\d{1,3}(?:\.\d{1,3}){1,3}|[^\W_]+")


def stem(word: str) -> str:
    """A small suffix stripper, used on query and document words alike (bypassed, bypassing -> bypass)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _stems(text: str) -> str:
    """The text as ' stem stem ... ' (spaces around), for word and phrase lookups."""
    return " " + " ".join(stem(w) for w in WORD_RE.findall(text.lower())) + " "


@dataclass(frozen=True)
class Concept:
    forms: tuple[str, ...]  # ' stem stem ' phrases: the word or phrase, its synonyms, its correction
    weight: float
    prefix: bool = False
    code: bool = False

    def field_weight(self, fields: dict[str, str]) -> float:
        """The weight of the most important field containing the concept (0: none)."""
        for name, weight in FIELD_WEIGHTS.items():
            text = fields[name]
            if any(form in text for form in self.forms):
                return weight
            if self.prefix and any(f" {form.strip()}" in text for form in self.forms):
                return weight
        return 0.0


def concepts(tokens: list[Token], corrections: dict[str, str]) -> list[Concept]:
    result = []
    for token in tokens:
        phrases = [token.text, *token.synonyms]
        if token.text in corrections:
            phrases.append(corrections[token.text])
        forms = tuple(dict.fromkeys(_stems(p) for p in phrases if p))
        if token.code:
            weight = CODE_WEIGHT
        elif token.text in MINOR_WORDS:
            weight = MINOR_WEIGHT
        else:
            weight = 1.0
        result.append(Concept(forms, weight, prefix=token.prefix, code=token.code))
    return result


@dataclass(frozen=True)
class Assessment:
    score: float  # 0-1: weighted share of the concepts, each by its best field
    coverage: float  # 0-1: weighted share of the concepts the article has at all
    words_matched: bool  # at least one concept that is not a reply code


def assess(document: dict[str, str], query: list[Concept]) -> Assessment:
    """Score one search document (title, symptoms, causes, body) against the query's concepts."""
    total = sum(c.weight for c in query)
    if not total:
        return Assessment(0.0, 0.0, False)
    fields = {name: _stems(document.get(name, "")) for name in FIELD_WEIGHTS}
    score = covered = 0.0
    words = False
    for concept in query:
        weight = concept.field_weight(fields)
        if weight:
            score += concept.weight * weight
            covered += concept.weight
            words = words or not concept.code
    return Assessment(score / total, covered / total, words)


def is_strong(assessment: Assessment | None, symptom_matched: bool) -> bool:
    if symptom_matched:
        return True
    return assessment is not None and assessment.words_matched and assessment.coverage >= STRONG_COVERAGE
