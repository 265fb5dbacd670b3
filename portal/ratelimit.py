"""A fixed-window rate limit on Django's cache, and the one way a view answers when a client is over it.

- `@rate_limit("search", "RATE_LIMIT_SEARCH_PER_MINUTE")`: every GET and POST of the view counts.
- `over_limit(request, scope, per_window)` inside a view, where only some requests count (a run about to start,
  a reset about to be mailed): None, or the response to return.

Either way a client over the limit gets the same answer: the 429 page (JSON under /api/) with `Retry-After`, and a
`rate_limited` audit event. `is_limited()` alone is for counting that answers no request (the audit log's own
bounds, search analytics).

Hand-written because django-ratelimit refuses every cache but memcached and django-redis, and an
installation on SQLite alone must work. Limits are shared between processes when the cache is
(REDIS_URL); with the default local-memory cache each process counts on its own.
"""

import functools
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from portal.audit import client_ip, record
from portal.auth import session_user_id


def limit_key(request: HttpRequest) -> str:
    """Counted per logged-in user (read from the session: the JSON API does not load users), else per address."""
    user_id = session_user_id(request)
    return f"user:{user_id}" if user_id else f"ip:{client_ip(request)}"


def is_limited(scope: str, who: str, per_minute: int, *, seconds: int = 60) -> bool:
    """Count one hit for `who` in `scope`; True once more than `per_minute` hits fall in this minute (or in this
    window of `seconds`)."""
    window = int(time.time() // seconds)
    # The key outlives its window by 30 s, so Django's incr (EXISTS, then INCRBY on Redis) never meets a key that
    # expires between its two commands.
    key = f"ratelimit:{scope}:{who}:{window}"
    try:
        hits = cache.incr(key)
    except ValueError:  # the first hit in this window: start the count (unless another process just did)
        hits = 1 if cache.add(key, 1, timeout=seconds + 30) else cache.incr(key)
    return hits > per_minute


def too_many_requests(request: HttpRequest, message: str, *, retry_after: int = 60) -> HttpResponse:
    record("rate_limited", request, detail=message)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": message}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def over_limit(
    request: HttpRequest,
    scope: str,
    per_window: int,
    *,
    who: str | None = None,
    seconds: int = 60,
    message: str = "",
) -> HttpResponse | None:
    """Count one hit for `who` (default: the session's user, else the client's address) in `scope`; past
    `per_window` hits in this window of `seconds`, the 429 response to return (audited), else None."""
    if not is_limited(scope, who or limit_key(request), per_window, seconds=seconds):
        return None
    message = message or f"Too many requests: at most {per_window} per minute here. Try again in a minute."
    return too_many_requests(request, message, retry_after=seconds)


COUNTED_METHODS = ("GET", "POST")


def rate_limit(scope: str, setting: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view: over `settings.<setting>` requests a minute per user (or IP) in `scope` get a 429."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method in COUNTED_METHODS and (
                refused := over_limit(request, scope, getattr(settings, setting))
            ):
                return refused
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Search pages and the API share one budget per user (or address).
search_rate_limit = rate_limit("search", "RATE_LIMIT_SEARCH_PER_MINUTE")
