"""Site-wide error pages: 403s leave an audit trail, a database or cache outage is a 503 rather than a 500 or a 400."""

import sys

import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import defaults

from portal.audit import record

OUTAGE_MESSAGE = "The database is unavailable for a moment. Please try again shortly."


def is_locked_error(exception: Exception) -> bool:
    """SQLite's "database is locked" is contention, not an outage: let it surface as the error it is."""
    return "database is locked" in str(exception)


def is_outage(exception: BaseException | None) -> bool:
    """The database or the shared cache could not be reached: `exception`, or one it was raised while handling."""
    while exception is not None:
        if isinstance(exception, (OperationalError, InterfaceError)) and not is_locked_error(exception):
            return True
        if isinstance(exception, (redis.ConnectionError, redis.TimeoutError)):
            return True
        exception = exception.__cause__ or exception.__context__
    return False


def outage(request: HttpRequest) -> HttpResponse:
    """A 503 page (JSON for the API) that needs no database."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": OUTAGE_MESSAGE}, status=503)
    else:
        page = render_to_string("503.html", {"message": OUTAGE_MESSAGE})
        response = HttpResponse(page, status=503, content_type="text/html")
    response["Retry-After"] = "5"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. While the database is unreachable (anywhere in the request: session, user, view), the outage
    page; otherwise the site's 500 page."""
    if is_outage(sys.exc_info()[1]):
        return outage(request)
    return HttpResponse(render_to_string("500.html"), status=500, content_type="text/html")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400. Django's session middleware answers 400 when it cannot save a session, also when the database
    went away (the update fails like one on a deleted session): that is the outage page too."""
    if is_outage(exception):
        return outage(request)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    record("permission_denied", request, detail=str(exception or "")[:200])
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    record("permission_denied", request, detail=f"CSRF: {reason}")
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


def locked_out(request: HttpRequest, credentials: dict | None = None, *args: object, **kwargs: object) -> HttpResponse:
    username = str((credentials or {}).get("username", ""))
    record("locked_out", request, username=username)
    return render(request, "registration/locked_out.html", status=429)
