"""Search analytics: each search is recorded (query, result count); opening a result marks it."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from kb.models import Article, SearchQueryLog
from kb.search import SearchResults

SESSION_KEY = "search_log"
TYPING_WINDOW = timedelta(seconds=60)


def record(request: HttpRequest, results: SearchResults, source: str) -> SearchQueryLog:
    """Store the search. Search-as-you-type refines one row: "gre", "grey", "greylisting" are one search."""
    query = results.query[:500]
    previous = request.session.get(SESSION_KEY) if source == "typing" else None
    if previous:
        log = SearchQueryLog.objects.filter(pk=previous, opened_article=None).first()
        recent = log and timezone.now() - log.created_at < TYPING_WINDOW
        if recent and (query.startswith(log.query) or log.query.startswith(query)):
            log.query, log.result_count, log.symptom_ids = query, results.count, results.symptom_ids
            log.save(update_fields=["query", "result_count", "symptom_ids"])
            return log
    log = SearchQueryLog.objects.create(
        query=query, symptom_ids=results.symptom_ids, result_count=results.count, source=source
    )
    if source in ("typing", "page"):
        request.session[SESSION_KEY] = log.pk
    return log


def opened(log_id: int, article: Article, position: int | None) -> None:
    """Mark the first result opened from this search."""
    SearchQueryLog.objects.filter(pk=log_id, opened_article=None).update(
        opened_article=article, opened_position=position, opened_at=timezone.now()
    )
