"""Relevance metrics for the labelled set, for the search service and for a naive bm25 baseline.

- top-1 / top-3: share of covered texts (at least one acceptable article) with an acceptable article first / in
  the first three results.
- MRR: mean of 1/rank of the first acceptable article within the first `limit` results (0 when absent).
- out-of-KB precision: share of uncovered texts (no acceptable article) with no *strong* result among the guide's
  articles. A hit is strong unless the search marks it `relevance = "weak"`; the baseline has no such notion, so
  every baseline result is strong. Distractor articles may rightly answer an uncovered text (a DMARC article for a
  DMARC bounce), so only guide articles count against this measure.
- strong top-1: share of covered texts whose first result is acceptable and strong (marking everything weak
  would make out-of-KB precision perfect; this shows what it costs).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Prefetch

SET_FORMAT = "mta-portal-search-eval"
KINDS = ("bounce", "log", "question", "title")
WORD_RE = re.compile(r"\w+")


class EvalSetError(ValueError):
    """The labelled set file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class LabelledText:
    id: str
    kind: str
    text: str
    source: str
    articles: tuple[int, ...]  # acceptable KB numbers; empty: the KB does not cover it

    @property
    def covered(self) -> bool:
        return bool(self.articles)


@dataclass(frozen=True)
class Ranking:
    numbers: list[int]  # KB numbers, best first
    strong: list[bool]  # per result: a confident answer (not marked weak)


@dataclass
class Miss:
    text: LabelledText
    ranking: Ranking


@dataclass
class Scores:
    covered: int = 0
    top1: int = 0
    top3: int = 0
    reciprocal_ranks: float = 0.0
    strong_top1: int = 0
    uncovered: int = 0
    uncovered_clean: int = 0  # uncovered texts without a strong guide result
    misses: list[Miss] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [covered texts, right first]

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.covered if self.covered else 0.0


def load_set(path: Path) -> tuple[list[LabelledText], dict[int, str]]:
    """The labelled texts and the guide titles they were labelled against (KB number -> title)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalSetError(f"File not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvalSetError(f"Cannot read {path}: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != SET_FORMAT:
        raise EvalSetError(f"{path} is not a search evaluation set (format '{SET_FORMAT}').")
    try:
        titles = {int(number): str(title) for number, title in document["articles"].items()}
        texts = [
            LabelledText(
                id=str(item["id"]),
                kind=str(item["kind"]),
                text=str(item["text"]),
                source=str(item["source"]),
                articles=tuple(int(n) for n in item["articles"]),
            )
            for item in document["texts"]
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EvalSetError(f"{path} is malformed ({exc.__class__.__name__}: {exc}).") from None
    for text in texts:
        if text.kind not in KINDS:
            raise EvalSetError(f"{text.id}: unknown kind {text.kind!r} (one of {', '.join(KINDS)}).")
        if any(number not in titles for number in text.articles):
            raise EvalSetError(f"{text.id}: an acceptable article is not among the set's articles.")
    return texts, titles


def score(texts: Iterable[LabelledText], rank: Callable[[str], Ranking], guide_numbers: set[int]) -> Scores:
    scores = Scores()
    for text in texts:
        ranking = rank(text.text)
        if text.covered:
            scores.covered += 1
            kind = scores.by_kind.setdefault(text.kind, [0, 0])
            kind[0] += 1
            accepted = set(text.articles)
            position = next((i for i, n in enumerate(ranking.numbers) if n in accepted), None)
            if position is not None:
                scores.reciprocal_ranks += 1 / (position + 1)
                scores.top3 += position < 3
            if position == 0:
                scores.top1 += 1
                kind[1] += 1
                scores.strong_top1 += ranking.strong[0]
            else:
                scores.misses.append(Miss(text, ranking))
        else:
            scores.uncovered += 1
            confident = any(s and n in guide_numbers for n, s in zip(ranking.numbers, ranking.strong, strict=True))
            if confident:
                scores.misses.append(Miss(text, ranking))
            else:
                scores.uncovered_clean += 1
    return scores


def engine_ranker(limit: int = 10) -> Callable[[str], Ranking]:
    """The public search service, as /api/search uses it; `relevance` is read when hits have it."""
    from kb.search import search

    def rank(text: str) -> Ranking:
        hits = search(text, limit=limit).hits
        return Ranking(
            numbers=[hit.article.number for hit in hits],
            strong=[getattr(hit, "relevance", "strong") == "strong" for hit in hits],
        )

    return rank


class Bm25Baseline:
    """A naive search to beat: an in-memory SQLite FTS5 table over the articles' raw text (title, body), the
    query's words OR-ed (each quoted, nothing dropped), ordered by bm25 with the title weighted 10 to 1.
    Same tokenizer as the engine's FTS5 table (`porter unicode61`); no symptom matcher, stop words or synonyms."""

    TITLE_WEIGHT = 10.0

    def __init__(self, documents: Iterable[tuple[int, str, str]]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE doc USING fts5(title, body, tokenize='porter unicode61')")
        self.db.executemany("INSERT INTO doc (rowid, title, body) VALUES (?, ?, ?)", documents)

    def ranker(self, limit: int = 10) -> Callable[[str], Ranking]:
        def rank(text: str) -> Ranking:
            words = list(dict.fromkeys(w.lower() for w in WORD_RE.findall(text)))
            if not words:
                return Ranking([], [])
            match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
            rows = self.db.execute(
                "SELECT rowid FROM doc WHERE doc MATCH ? ORDER BY bm25(doc, ?, 1.0) LIMIT ?",
                (match, self.TITLE_WEIGHT, limit),
            ).fetchall()
            return Ranking([row[0] for row in rows], [True] * len(rows))

        return rank

    def close(self) -> None:
        self.db.close()


def article_documents() -> list[tuple[int, str, str]]:
    """(KB number, title, body) of every article: the text an editor wrote, nothing derived."""
    from kb.models import Article, Step

    steps = Step.objects.prefetch_related("cli_blocks")
    articles = Article.objects.prefetch_related("causes", Prefetch("steps", queryset=steps)).order_by("number")
    documents = []
    for article in articles:
        parts = [article.summary, article.explanation]
        parts += [cause.text for cause in article.causes.all()]
        parts.append(article.steps_title)
        for step in article.steps.all():
            parts.append(step.text)
            parts += [block.text for block in step.cli_blocks.all()]
        parts.append(article.closing_note)
        documents.append((article.number, article.title, "\n".join(p for p in parts if p)))
    return documents
