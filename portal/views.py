"""Site-wide error pages that also leave an audit trail."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.audit import record


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
