"""Search analytics: each search is recorded (query, result count); opening a result marks it.

Searches from pages and search-as-you-type are written at once: the row's id goes into the session, to refine the
row as the user types and to mark the result they open. JSON API searches need no id, so their rows are kept in
memory and written together at most every KB_SEARCH_LOG_FLUSH_SECONDS (`kb.buffer`): an API call does not wait
for an INSERT and its commit.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from kb.buffer import WriteBuffer
from kb.models import Article, SearchQueryLog
from kb.search import SearchResults

SESSION_KEY = "search_log"
TYPING_WINDOW = timedelta(seconds=60)

_api_searches: WriteBuffer[SearchQueryLog] = WriteBuffer(
    SearchQueryLog.objects.bulk_create, "KB_SEARCH_LOG_FLUSH_SECONDS"
)


def record(
    request: HttpRequest, results: SearchResults, source: str, best_relevance: str | None = None
) -> SearchQueryLog:
    """Store the search. Search-as-you-type refines one row: "gre", "grey", "greylisting" are one search.

    `best_relevance` (default: that of the results' first hit) marks content gaps: searches whose best result is
    weak count beside those with no result.
    """
    query = results.query[:500]
    best = results.best_relevance if best_relevance is None else best_relevance
    if source == "api":
        log = SearchQueryLog(
            query=query,
            symptom_ids=results.symptom_ids,
            result_count=results.count,
            best_relevance=best,
            source=source,
        )
        _api_searches.add(log)
        return log
    previous = request.session.get(SESSION_KEY) if source == "typing" else None
    if previous:
        log = SearchQueryLog.objects.filter(pk=previous, opened_article=None).first()
        recent = log and timezone.now() - log.created_at < TYPING_WINDOW
        if recent and (query.startswith(log.query) or log.query.startswith(query)):
            log.query, log.result_count, log.symptom_ids = query, results.count, results.symptom_ids
            log.best_relevance = best
            log.save(update_fields=["query", "result_count", "symptom_ids", "best_relevance"])
            return log
    log = SearchQueryLog.objects.create(
        query=query, symptom_ids=results.symptom_ids, result_count=results.count, best_relevance=best, source=source
    )
    if source in ("typing", "page"):
        request.session[SESSION_KEY] = log.pk
    return log


def opened(log_id: int, article: Article, position: int | None) -> None:
    """Mark the first result opened from this search."""
    SearchQueryLog.objects.filter(pk=log_id, opened_article=None).update(
        opened_article=article, opened_position=position, opened_at=timezone.now()
    )


def flush() -> None:
    """Write the buffered API searches now."""
    _api_searches.flush()
