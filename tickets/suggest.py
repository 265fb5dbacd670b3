"""Articles suggested for what a user typed or ticked, from the search service (kb.search)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class Suggestions:
    hits: list = field(default_factory=list)  # kb.search hits: .article, .score, .snippet, .matched_symptoms
    error: str = ""
    facets: dict[int, int] = field(default_factory=dict)  # symptom id -> matching articles with it

    @property
    def articles(self) -> list:
        return [hit.article for hit in self.hits]


def suggestions(*texts: str, symptom_ids: Iterable[int] = (), limit: int = 5) -> Suggestions:
    """Search each non-empty text (pasted lines first, then words) with the ticked symptoms; merge, best first."""
    from kb.search import SearchError, search

    symptom_ids = tuple(symptom_ids)
    queries: Sequence[str] = [text for text in texts if text.strip()] or [""]
    found: dict[int, object] = {}
    errors = []
    facets: dict[int, int] | None = None
    for query in queries:
        try:
            results = search(query, symptom_ids=symptom_ids, limit=limit)
        except SearchError as error:
            errors.append(str(error))
            continue
        facets = results.facets if facets is None else facets
        for hit in results.hits:
            found.setdefault(hit.article.pk, hit)
    return Suggestions(list(found.values())[:limit], "" if found else "; ".join(errors), facets or {})
