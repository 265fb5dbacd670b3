"""Request logging (one JSON line per request: path, status, duration, user id) and the client's address behind
nginx."""

import ipaddress
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from portal.auth import session_user_id

logger = logging.getLogger("portal.requests")


class ForwardedClientMiddleware:
    """Behind nginx (`TRUST_X_FORWARDED_FOR`), `REMOTE_ADDR` is nginx's own address; the client's is the one nginx
    puts in `X-Forwarded-For` (deploy/nginx.conf sets it, replacing whatever the client sent). Rate limits, the
    audit log and login lockouts all read `REMOTE_ADDR`, so it is set to that address. Only the last entry is
    used (the one the nearest proxy wrote), and only if it is an IP address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.TRUST_X_FORWARDED_FOR and (forwarded := request.META.get("HTTP_X_FORWARDED_FOR")):
            address = forwarded.rsplit(",", 1)[-1].strip()
            try:
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(address))
            except ValueError:
                pass
        return self.get_response(request)


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user_id(request),
            },
        )
        return response


def user_id(request: HttpRequest) -> int | None:
    """The id of the user the session is logged in as (`portal.auth.session_user_id`: a view that needed no user
    does not load one for this line); None for anonymous requests and while the database cannot say."""
    try:
        value = session_user_id(request)
    except DatabaseError:  # sessions not in the cache are read from the database
        return None
    return get_user_model()._meta.pk.to_python(value) if value else None
