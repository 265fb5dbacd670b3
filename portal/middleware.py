"""Request logging (one JSON line per request) and a 503 page while the database is down."""

import logging
import time
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("portal.requests")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


class DatabaseUnavailableMiddleware:
    """While the database is down, answer a 503 page (or JSON for the API) instead of a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)) or is_locked_error(exception):
            return None
        logger.warning("database unavailable", extra={"path": request.path, "error": str(exception)[:200]})
        message = "The database is unavailable for a moment. Please try again shortly."
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"error": message}, status=503)
        else:
            response = HttpResponse(
                render_to_string("503.html", {"message": message}), status=503, content_type="text/html"
            )
        response["Retry-After"] = "5"
        return response


def is_locked_error(exception: Exception) -> bool:
    """SQLite's "database is locked" is contention, not an outage: let it surface as the error it is."""
    return "database is locked" in str(exception)
