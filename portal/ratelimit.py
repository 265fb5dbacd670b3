"""A fixed-window rate limit on Django's cache: `@rate_limit("search", "RATE_LIMIT_SEARCH_PER_MINUTE")`.

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
    key = f"ratelimit:{scope}:{who}:{window}"
    try:
        hits = cache.incr(key)
    except ValueError:  # the first hit in this window: start the count (unless another process just did)
        hits = 1 if cache.add(key, 1, timeout=seconds + 30) else cache.incr(key)
    return hits > per_minute


def too_many_requests(request: HttpRequest, message: str) -> HttpResponse:
    record("rate_limited", request, detail=message)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": message}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = "60"
    return response


COUNTED_METHODS = ("GET", "POST")


def rate_limit(scope: str, setting: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view: over `settings.<setting>` requests a minute per user (or IP) in `scope` get a 429."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            per_minute = getattr(settings, setting)
            if request.method in COUNTED_METHODS and is_limited(scope, limit_key(request), per_minute):
                return too_many_requests(
                    request, f"Too many requests: at most {per_minute} per minute here. Try again in a minute."
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Search pages and the API share one budget per user (or address).
search_rate_limit = rate_limit("search", "RATE_LIMIT_SEARCH_PER_MINUTE")
