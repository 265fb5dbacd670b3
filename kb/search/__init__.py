"""The search service: one contract, an engine per database vendor (FTS5 on SQLite, tsvector on PostgreSQL).

    from kb.search import search, SearchError
    results = search("550 5.7.1 <bob@example.com>: Relay access denied", symptom_ids=[3], limit=20)

Ranking: the engine finds candidates; the best of them are scored by `relevance` (the same on both engines).
Strong results (a symptom of the article found in the pasted text, or most of the query's meaningful words in the
article) come before weak ones; then articles whose symptoms the text contains, by how many; then the text score
(title > symptoms > causes > steps and CLI text); article views only break ties. Ticked symptoms narrow the
results to articles having all of them.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.models import Article, Symptom
from kb.replycodes import find_codes
from kb.search import codes, relevance
from kb.search.engine import CANDIDATE_CAP, Engine, TextQuery
from kb.search.index import DOCUMENTS
from kb.search.matcher import match_symptoms
from kb.search.synonyms import expand
from kb.search.text import MAX_QUERY_CHARS, SHORT_QUERY_TOKENS, SearchError, Token, clean, tokenize

__all__ = ["Hit", "SearchError", "SearchResults", "search", "MAX_LIMIT", "MAX_QUERY_CHARS"]

MAX_LIMIT = 100
SNIPPET_FALLBACK_CHARS = 200
STRONG, WEAK = "strong", "weak"
SECONDARY_SYMPTOM = 0.75  # a matched symptom the article mentions but is not about (not in its title)
ENGINE_SHARE = 0.01  # the engine's own relevance only breaks ties between equally scored candidates


@dataclass
class Hit:
    article: Article
    score: float
    snippet: SafeString
    matched_symptoms: list[Symptom] = field(default_factory=list)
    relevance: str = WEAK  # STRONG: an answer to the query; WEAK: only related (see kb.search.relevance)


@dataclass
class SearchResults:
    query: str
    count: int  # matching articles (exact up to CANDIDATE_CAP, then CANDIDATE_CAP)
    hits: list[Hit]
    symptom_ids: list[int] = field(default_factory=list)
    matched_symptoms: list[Symptom] = field(default_factory=list)  # found in the pasted text
    corrections: dict[str, str] = field(default_factory=dict)  # misspelled word -> word searched as well
    article_ids: list[int] | None = field(default=None, repr=False)  # all matches; None: no search (all articles)

    @property
    def capped(self) -> bool:
        return self.count >= CANDIDATE_CAP

    @property
    def best_relevance(self) -> str:
        """STRONG or WEAK for the first result; "" when nothing matched."""
        return self.hits[0].relevance if self.hits else ""

    @property
    def strong_hits(self) -> list[Hit]:
        return [hit for hit in self.hits if hit.relevance == STRONG]

    @property
    def strong_count(self) -> int:
        return len(self.strong_hits)

    @property
    def weak_hits(self) -> list[Hit]:
        return [hit for hit in self.hits if hit.relevance != STRONG]

    @cached_property
    def facets(self) -> dict[int, int]:
        """symptom id -> how many matching articles have it (all articles when nothing was searched)."""
        return engine().facets(self.article_ids)


def engine() -> Engine:
    if connection.vendor == "postgresql":
        from kb.search.postgres import PostgresEngine

        return PostgresEngine()
    from kb.search.sqlite import SQLiteEngine

    return SQLiteEngine()


def search(query: str = "", symptom_ids: Iterable[int] = (), limit: int = 20) -> SearchResults:
    """Search articles by text (words, codes, pasted lines) and/or ticked symptoms; see the module docstring."""
    if not isinstance(query, str):
        raise SearchError("The search text must be text.")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"The number of results must be between 1 and {MAX_LIMIT}.")
    required = _symptom_ids(symptom_ids)
    text = clean(query)
    tokens = expand(tokenize(text, typing=not query[-1:].isspace()))
    matched = match_symptoms(text) if text else []
    backend = engine()
    words = [t for t in tokens if not t.code and not t.meaning_word]
    # Reply codes are searched only when there are few words: "550" alone, or "451 greylisting". With more words,
    # the words say which problem it is; the codes (and not, but, only...) still count in the score (relevance).
    searched = words if len(words) >= 2 else [t for t in tokens if not t.meaning_word]
    if len(searched) > SHORT_QUERY_TOKENS:  # a pasted line or log: any of its rarest words
        text_query = TextQuery(backend.rarest(searched), any_token=True, pasted=True)
    else:
        text_query = TextQuery(searched, backend.corrections(searched))

    scores: dict[int, float] = {}
    strong: set[int] = set()
    ranked: list[tuple[int, float]] = []
    if searched:
        ranked = backend.rank(text_query, required, CANDIDATE_CAP, any_token=text_query.any_token)
        if not ranked and len(searched) > 1 and not text_query.pasted:
            text_query.any_token = True
            ranked = backend.rank(text_query, required, CANDIDATE_CAP, any_token=True)
        scores = {article_id: ENGINE_SHARE * relevance_ / (1.0 + relevance_) for article_id, relevance_ in ranked}
    symptom_hits = _articles_with(matched, required)
    if tokens:
        best = [pk for pk, _ in ranked[: relevance.RERANKED]]
        strong = _rescore(scores, best, symptom_hits, tokens, text_query, backend, text)
    for article_id, symptom_score in symptom_hits.items():
        scores[article_id] = scores.get(article_id, 0.0) + symptom_score
    if not text and required:
        scores = _specificity(required)
        strong = set(scores)  # the ticked symptoms are what the user observed: every article having them
    for article_id in strong:
        scores[article_id] += len(required) + len(matched) + 1  # strong results first

    hits = _hits(scores, limit, text_query if tokens else None, backend, matched, required, strong)
    return SearchResults(
        query=text,
        count=len(scores),
        hits=hits,
        article_ids=list(scores) if (text or required) else None,
        symptom_ids=required,
        matched_symptoms=matched,
        corrections=text_query.corrections,
    )


def _rescore(
    scores: dict[int, float],
    best: list[int],
    symptom_hits: dict[int, float],
    tokens: list[Token],
    text_query: TextQuery,
    backend: Engine,
    text: str,
) -> set[int]:
    """Score the engine's best candidates and the symptom matches with `relevance` (in place); the strong ones.
    Reply codes in the text are evidence by their meaning and wording (`kb.search.codes`)."""
    replies = [codes.from_reply(code, text) for code in find_codes(text)] if any(t.code for t in tokens) else []
    query = relevance.concepts(tokens, text_query.corrections, backend, replies)
    ids = list(dict.fromkeys([*best, *list(symptom_hits)[: relevance.RERANKED]]))
    documents = relevance.stemmed_documents(ids, DOCUMENTS.current())
    average_body = sum(d.body_length for d in documents.values()) / max(len(documents), 1)
    strong = set()
    for pk, document in documents.items():
        assessment = relevance.assess(document, query, average_body)
        scores[pk] = scores.get(pk, 0.0) + assessment.score
        if relevance.is_strong(assessment, pk in symptom_hits):
            strong.add(pk)
    return strong


def _symptom_ids(values: Iterable[int]) -> list[int]:
    ids = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
            raise SearchError("Symptoms are chosen by their numeric id.")
        ids.append(value)
    if len(ids) > 50:
        raise SearchError("Tick at most 50 symptoms.")
    return sorted(set(ids))


def _required_articles(required: list[int]) -> Iterable[int] | None:
    """Article ids having every ticked symptom (None: no symptom ticked)."""
    if not required:
        return None
    through = Article.symptoms.through.objects.filter(symptom_id__in=required)
    return (
        through.values("article_id")
        .annotate(n=Count("symptom_id", distinct=True))
        .filter(n=len(required))
        .values_list("article_id", flat=True)
    )


def _articles_with(matched: list[Symptom], required: list[int]) -> dict[int, float]:
    """article id -> its matched symptoms, each counting 1 if the article's title states it (the article is about
    that symptom) and SECONDARY_SYMPTOM if only its text mentions it (451 Try again later is the greylisting
    article's title, and one possible reply in the recipient-verification article); only articles having all
    ticked symptoms."""
    if not matched:
        return {}
    links = Article.symptoms.through.objects.filter(symptom_id__in=[s.pk for s in matched])
    if required:
        links = links.filter(article_id__in=_required_articles(required))
    texts = {s.pk: s.text.rstrip(".").lower() for s in matched}
    # The title by a subquery per link, not a join: a join sorted by article id reads the article table's whole
    # primary key index up to the last link (8.6 ms against 2.8 ms on PostgreSQL at 100k articles).
    title = Subquery(Article.objects.filter(pk=OuterRef("article_id")).values("title")[:1])
    rows = links.order_by("article_id").annotate(title=title).values_list("article_id", "symptom_id", "title")
    weights: dict[int, float] = {}
    for article_id, symptom_id, title in rows[: CANDIDATE_CAP * len(matched)]:
        primary = texts[symptom_id] in title.lower()
        weights[article_id] = weights.get(article_id, 0.0) + (1.0 if primary else SECONDARY_SYMPTOM)
    if len(weights) > CANDIDATE_CAP:  # keep those matching most
        weights = dict(heapq.nlargest(CANDIDATE_CAP, weights.items(), key=lambda item: (item[1], -item[0])))
    return weights


def _specificity(required: list[int]) -> dict[int, float]:
    """Ticked symptoms only: articles having all of them, those with fewer other symptoms first."""
    rows = (
        Article.objects.filter(pk__in=_required_articles(required))
        .annotate(total=Count("symptoms"))
        .values_list("pk", "total")[:CANDIDATE_CAP]
    )
    return {pk: len(required) / max(total, 1) for pk, total in rows}


def _hits(
    scores: dict[int, float],
    limit: int,
    text_query: TextQuery | None,
    backend: Engine,
    matched: list[Symptom],
    required: list[int],
    strong: set[int],
) -> list[Hit]:
    if not scores:
        return []
    # Relevance first; views break ties among the best (limit + 10) candidates, then KB number.
    best = heapq.nlargest(limit + 10, scores.items(), key=lambda item: item[1])
    articles = {a.pk: a for a in Article.objects.for_listing().filter(pk__in=[pk for pk, _ in best])}
    ordered = sorted(
        (pk for pk, _ in best if pk in articles),
        key=lambda pk: (-round(scores[pk], 9), -articles[pk].views, articles[pk].number),
    )[:limit]
    snippets = backend.snippets(text_query, ordered) if text_query else {}
    shown = _shown_symptoms(ordered, {s.pk for s in matched} | set(required), _mention_re(text_query))
    return [
        Hit(
            article=articles[pk],
            score=round(scores[pk], 6),
            snippet=_safe_snippet(snippets.get(pk)) if snippets.get(pk) else _summary_snippet(articles[pk]),
            matched_symptoms=shown.get(pk, []),
            relevance=STRONG if pk in strong else WEAK,
        )
        for pk in ordered
    ]


def _shown_symptoms(ids: list[int], wanted: set[int], mentions: re.Pattern[str] | None) -> dict[int, list[Symptom]]:
    """article id -> its symptoms to show with the hit (matched, ticked or mentioned), in symptom order; one query
    of (link, kind, text) rows for the returned page, one Symptom object per symptom (not per link)."""
    rows = (
        Article.symptoms.through.objects.filter(article_id__in=ids)
        .order_by("symptom__kind", "symptom__text", "symptom_id")
        .values_list("article_id", "symptom_id", "symptom__kind", "symptom__text")
    )
    symptoms: dict[int, Symptom] = {}
    shown: dict[int, list[Symptom]] = {}
    for article_id, symptom_id, kind, text in rows:
        if symptom_id in wanted or (mentions and mentions.search(text)):
            if symptom_id not in symptoms:
                symptoms[symptom_id] = Symptom(pk=symptom_id, kind=kind, text=text)
            shown.setdefault(article_id, []).append(symptoms[symptom_id])
    return shown


def _mention_re(text_query: TextQuery | None) -> re.Pattern[str] | None:
    """Symptoms whose text contains a searched word or code also count as matched (shown with the hit)."""
    if not text_query or text_query.pasted:
        return None  # pasted lines: only the symptom matcher says what they contain
    words = [t.text for t in text_query.tokens if t.code or len(t.text) >= 3]
    words += list(text_query.corrections.values())
    if not words:
        return None
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)


def _safe_snippet(marked: str) -> SafeString:
    """Engine snippets mark highlights with \\x01 ... \\x02: escape everything, then turn those into <mark>."""
    html = escape(marked).replace("\x01", "<mark>").replace("\x02", "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only <mark> added


def _summary_snippet(article: Article) -> SafeString:
    summary = article.summary
    if len(summary) > SNIPPET_FALLBACK_CHARS:
        summary = summary[:SNIPPET_FALLBACK_CHARS].rsplit(" ", 1)[0] + " …"
    return escape(summary)
