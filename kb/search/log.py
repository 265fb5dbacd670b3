"""Search analytics: each search is recorded (query, result count); opening a result marks it.

Searches from pages and search-as-you-type are written at once. The row's id goes back to the browser in a short
signed cookie (`search_log`, a minute), not in the session: it refines the row as the user types, and a search
creates no session row. Result links carry the id to mark the result opened. JSON API searches need no id, so
their rows are kept in memory and written together at most every KB_SEARCH_LOG_FLUSH_SECONDS (`kb.buffer`): an
API call does not wait for an INSERT and its commit.

Anonymous clients store at most SEARCH_LOG_ANONYMOUS_PER_MINUTE new rows a minute per network (an IPv6 client's
/64); their further searches are answered but not recorded.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kb.buffer import WriteBuffer
from kb.models import Article, SearchQueryLog
from kb.search import SearchResults
from portal.audit import source_of
from portal.auth import session_user_id
from portal.numbers import parse_id
from portal.ratelimit import is_limited

COOKIE = "search_log"
COOKIE_SALT = "kb.search.log"
TYPING_WINDOW = timedelta(seconds=60)

_api_searches: WriteBuffer[SearchQueryLog] = WriteBuffer(
    SearchQueryLog.objects.bulk_create, "KB_SEARCH_LOG_FLUSH_SECONDS"
)


def previous_log_id(request: HttpRequest) -> int | None:
    """The row of this browser's last search, if it was less than TYPING_WINDOW ago (signed: not forgeable)."""
    value = request.get_signed_cookie(COOKIE, default="", salt=COOKIE_SALT, max_age=TYPING_WINDOW)
    return parse_id(value)


def remember(response: HttpResponse, log: SearchQueryLog) -> None:
    """Give the browser the row's id for refining it while the user types."""
    response.set_signed_cookie(
        COOKIE,
        str(log.pk),
        salt=COOKIE_SALT,
        max_age=int(TYPING_WINDOW.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def may_store(request: HttpRequest) -> bool:
    """Logged-in users' searches are always recorded; an anonymous network's up to a bound a minute."""
    if session_user_id(request):
        return True
    per_minute = settings.SEARCH_LOG_ANONYMOUS_PER_MINUTE
    return not is_limited("search-log", source_of(request, None), per_minute)


def record(
    request: HttpRequest, results: SearchResults, source: str, best_relevance: str | None = None
) -> SearchQueryLog | None:
    """Store the search (None: not recorded). Search-as-you-type refines one row: "gre", "grey", "greylisting" are
    one search.

    `best_relevance` (default: that of the results' first hit) marks content gaps: searches whose best result is
    weak count beside those with no result.
    """
    query = results.query[:500]
    best = results.best_relevance if best_relevance is None else best_relevance
    previous = previous_log_id(request) if source == "typing" else None
    if previous:
        log = SearchQueryLog.objects.filter(pk=previous, opened_article=None).first()
        recent = log and timezone.now() - log.created_at < TYPING_WINDOW
        if recent and (query.startswith(log.query) or log.query.startswith(query)):
            log.query, log.result_count, log.symptom_ids = query, results.count, results.symptom_ids
            log.best_relevance = best
            log.save(update_fields=["query", "result_count", "symptom_ids", "best_relevance"])
            return log
    if not may_store(request):
        return None
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
    return SearchQueryLog.objects.create(
        query=query, symptom_ids=results.symptom_ids, result_count=results.count, best_relevance=best, source=source
    )


def opened(log_id: int, article: Article, position: int | None) -> None:
    """Mark the first result opened from this search."""
    SearchQueryLog.objects.filter(pk=log_id, opened_article=None).update(
        opened_article=article, opened_position=position, opened_at=timezone.now()
    )


def flush() -> None:
    """Write the buffered API searches now."""
    _api_searches.flush()
