"""How closely an article answers the query: the same scoring and the same strong/weak rule on both engines.

The engines find and pre-rank candidates (FTS5 bm25, PostgreSQL ts_rank); the best RERANKED of them are scored
here, in Python, from their search documents, so that quality does not depend on the database:

- The query is a list of concepts: a word or phrase with its synonyms and spelling correction. A concept counts
  once, by the most important field it occurs in (title 1.0 > symptoms 0.85 > causes 0.7 > body 0.55): long
  articles gain nothing from repeating a word, and lose nothing for their length.
- Concepts are weighted by what they say about the problem: by their rarity in the knowledge base (the BM25
  inverse document frequency, from exact counts up to 200 documents, the same on both engines), times 1 for a
  word (1.5 for a term of a synonym set: greylisting, antivirus, backup MX...), 0.4 for a word every mail article
  uses (mail, server, FortiMail...), 0.3 for a reply code (RFC 5321 codes
  are shared by many conditions: the words say which one; `kb.symptoms` reads both together). A negation or
  quantifier kept from the stop words (not, only, both) weighs a fixed 0.4: the engines do not index them.
- `score` is the weighted, field-weighted share of the concepts the article has (0-1); `coverage` the weighted
  share it has at all.

Strong (an answer, not just a related article): the pasted text contains one of the article's symptoms (its
pattern matched), or the article has at least STRONG_COVERAGE of the query's weighted concepts, words among them.
"""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import cached_property, lru_cache

from kb.search import codes as reply_codes
from kb.search.engine import Engine
from kb.search.text import Token

RERANKED = 50  # candidates (best by the engine's own rank) scored here
STRONG_COVERAGE = 0.75
FIELD_WEIGHTS = {"title": 3.0, "symptoms": 2.5, "causes": 1.5, "body": 1.0}  # BM25F field weights
K1 = 1.2  # term frequency saturation
B = 0.5  # body length normalisation
CODE_WEIGHT = 0.3
MINOR_WEIGHT = 0.4
TERM_WEIGHT = 1.5
# Words nearly every article of a mail-gateway KB uses, and the stop-word exceptions kept for their meaning.
MINOR_WORDS = frozenset(
    "mail mails email emails message messages server servers fortimail unit smtp user users "
    "send sending sent receive receiving received problem issue error work working works".split()
)
WORD_RE = re.compile(r"\d{1,3}(?:\.\d{1,3}){1,3}|[^\W_]+")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A small suffix stripper, used on query and document words alike, so inflections and derived nouns meet:
    bypassed, bypassing -> bypass; scanning -> scan; temporarily, temporary -> temporari; detection -> detect;
    verification, verify, verified -> verifi; configuration, configure -> configur."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 4:
        word = word[:-1]
    for suffix, replacement in (("ication", "y"), ("ation", ""), ("tion", "t"), ("ily", "y"), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + replacement
            break
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # scann -> scan
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    if word.endswith("y") and len(word) > 4:
        word = word[:-1] + "i"
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
    reply: reply_codes.Code | None = None  # a reply code: matched by meaning (kb.search.codes), not by its digits

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The single-word forms (looked up in a document's word table), unless a prefix or a reply code."""
        if self.prefix or self.reply is not None:
            return ()
        return tuple(form.strip() for form in self.forms if form.count(" ") == 2)

    @cached_property
    def phrases(self) -> tuple[str, ...]:
        """The forms searched in each field's text: phrases, or every form of a prefix (' form' starts a word)."""
        if self.reply is not None:
            return ()
        if self.prefix:
            return tuple(f" {form.strip()}" for form in self.forms)
        return tuple(form for form in self.forms if form.count(" ") != 2)

    def occurrences(self, field: StemmedField) -> float:
        """How often the concept's phrases or prefixes occur in a stemmed field's text; a reply code's best
        similarity to the field's codes (0-1). Single words are counted from the document's word table."""
        if self.reply is not None:
            return reply_codes.similarity(self.reply, field.basic_codes, field.enhanced_codes) if field.codes else 0.0
        return sum(field.text.count(phrase) for phrase in self.phrases)


@dataclass(frozen=True)
class StemmedField:
    text: str  # ' stem stem ... '
    counts: dict[str, int]  # stem -> occurrences
    length: int  # words
    basic_codes: tuple[int, ...] = ()
    enhanced_codes: tuple[tuple[int, int, int], ...] = ()

    @property
    def codes(self) -> bool:
        return bool(self.basic_codes or self.enhanced_codes)


def idf(frequency: int, documents: int) -> float:
    """BM25's inverse document frequency (always > 0); a word no document has weighs the most."""
    frequency = min(frequency, documents)
    return math.log(1.0 + (documents - frequency + 0.5) / (frequency + 0.5))


def concepts(
    tokens: list[Token], corrections: dict[str, str], engine: Engine, replies: list[reply_codes.Code] = ()
) -> list[Concept]:
    """The query's concepts. Reply codes the parser found (`replies`) are one concept each (`550 5.7.1` is one
    reply, weighted by its rarer part); code tokens it did not confirm are compared by their digits' meaning."""
    counted = [t for t in tokens if not t.meaning_word]
    frequencies, documents = engine.frequencies(counted, corrections) if counted else ({}, 0)
    by_word = {word: reply for reply in replies for word in reply.words}
    by_text = {t.text: t for t in tokens}
    result = []
    done: set[reply_codes.Code] = set()
    for token in tokens:
        if token.code:
            reply = by_word.get(token.text) or reply_codes.from_word(token.text)
            if reply is None or reply in done:
                continue
            done.add(reply)
            parts = [by_text[w] for w in reply.words if w in by_text] or [token]
            weight = CODE_WEIGHT * max(idf(frequencies.get(t, 0), documents) for t in parts)
            forms = tuple(_stems(w) for w in reply.words)
            result.append(Concept(forms, weight, code=True, reply=reply))
            continue
        phrases = [token.text, *token.synonyms]
        if token.text in corrections:
            phrases.append(corrections[token.text])
        forms = tuple(dict.fromkeys(_stems(p) for p in phrases if p))
        if token.meaning_word:
            weight = MINOR_WEIGHT
        else:
            weight = CODE_WEIGHT if token.code else MINOR_WEIGHT if token.text in MINOR_WORDS else 1.0
            weight *= idf(frequencies.get(token, 0), documents)
            if token.synonyms:
                weight *= TERM_WEIGHT  # an editor's synonym set names it: a term of the domain, not plain English
        if any(c.forms == forms for c in result):
            continue  # "servers" and "server": one concept
        result.append(Concept(forms, weight, prefix=token.prefix, code=token.code))
    return result


@dataclass(frozen=True)
class Assessment:
    score: float  # 0-1: weighted share of the concepts, each by its best field
    coverage: float  # 0-1: weighted share of the concepts the article has at all
    words_matched: bool  # at least one concept that is not a reply code
    codes_agree: bool = True  # no query code contradicts the article's codes, and it names their stated reasons


@dataclass(frozen=True)
class StemmedDocument:
    fields: dict[str, StemmedField]
    # stem -> (its field-weighted count outside the body, its count in the body): one lookup per word and document
    table: dict[str, tuple[float, int]]

    @property
    def body_length(self) -> int:
        return self.fields["body"].length


def stemmed(document: dict[str, str]) -> StemmedDocument:
    fields = {}
    table: dict[str, tuple[float, int]] = {}
    for name, field_weight in FIELD_WEIGHTS.items():
        words = [stem(w) for w in WORD_RE.findall(document.get(name, "").lower())]
        counts = Counter(words)
        basic, enhanced = reply_codes.document_codes(counts)
        fields[name] = StemmedField(" " + " ".join(words) + " ", counts, len(words), basic, enhanced)
        for word, count in counts.items():
            outside, body = table.get(word, (0.0, 0))
            table[word] = (outside, body + count) if name == "body" else (outside + field_weight * count, body)
    return StemmedDocument(fields, table)


STEMMED_KEPT = 5000  # stemmed documents kept per process (a few MB)
_stemmed: OrderedDict[tuple[str, int], StemmedDocument] = OrderedDict()


def stemmed_documents(article_ids: list[int], generation: str) -> dict[int, StemmedDocument]:
    """article id -> stemmed fields, from a per-process LRU keyed by the search documents' generation (any
    document change renews it); the others are read and stemmed once."""
    from kb.models import SearchDocument

    found = {}
    for pk in article_ids:
        entry = _stemmed.get((generation, pk))
        if entry is not None:
            _stemmed.move_to_end((generation, pk))
            found[pk] = entry
    missing = [pk for pk in article_ids if pk not in found]
    if missing:
        rows = SearchDocument.objects.filter(pk__in=missing).values("article_id", "title", "symptoms", "causes", "body")
        for row in rows:
            found[row["article_id"]] = _stemmed[(generation, row["article_id"])] = stemmed(row)
        while len(_stemmed) > STEMMED_KEPT:
            _stemmed.popitem(last=False)
    return found


def assess(document: StemmedDocument, query: list[Concept], average_body: float) -> Assessment:
    """Score one search document (fields from `stemmed()`) against the query's concepts: BM25F.

    Each concept's occurrences are summed over the fields times the field weight (the body's count normalised by
    its length against `average_body`, so long articles neither win by repeating words nor lose by their size),
    then saturated (K1): the score is the weighted sum over concepts, divided by its maximum (0-1).
    """
    total = sum(c.weight for c in query)
    if not total:
        return Assessment(0.0, 0.0, False)
    fields, table = document.fields, document.table
    agree = codes_agree(fields, [c.reply for c in query if c.reply is not None])
    body_norm = 1.0 - B + B * document.body_length / max(average_body, 1.0)
    body_weight = FIELD_WEIGHTS["body"] / body_norm
    score = covered = 0.0
    words = False
    for concept in query:
        frequency = 0.0
        for word in concept.words:
            entry = table.get(word)
            if entry is not None:
                frequency += entry[0] + body_weight * entry[1]
        if concept.phrases or concept.reply is not None:
            frequency += sum(
                (body_weight if name == "body" else weight) * concept.occurrences(fields[name])
                for name, weight in FIELD_WEIGHTS.items()
            )
        if frequency:
            score += concept.weight * frequency / (frequency + K1)
            covered += concept.weight
            words = words or not concept.code
    return Assessment(score / total, covered / total, words, agree)


def codes_agree(fields: dict[str, StemmedField], replies: list[reply_codes.Code]) -> bool:
    """No query code is about another kind of failure than the article's codes, and the article names the reasons
    the codes' wording states (relaying, a block list, SPF...): `kb.search.codes`."""
    if not replies:
        return True
    enhanced = {code for field in fields.values() for code in field.enhanced_codes}
    if any(reply_codes.contradicts(reply, enhanced) for reply in replies):
        return False
    if any(reply.reasons for reply in replies):
        text = "".join(field.text for field in fields.values())
        return all(reply_codes.answers_reasons(reply, text) for reply in replies)
    return True


def is_strong(assessment: Assessment | None, symptom_matched: bool) -> bool:
    """A symptom of the article in the text; else most of the query's weighted concepts, words among them, and
    reply codes that agree with the article's."""
    if symptom_matched:
        return True
    return (
        assessment is not None
        and assessment.words_matched
        and assessment.codes_agree
        and assessment.coverage >= STRONG_COVERAGE
    )
