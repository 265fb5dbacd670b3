"""Password spraying: failed logins are counted per client address across all usernames.

django-axes locks a username from one address after AXES_FAILURE_LIMIT failures; one password tried
against many usernames never reaches that. So every failed login (Django's `user_login_failed`, sent
for every login form, the admin's included) also counts for its address, and an address past
LOGIN_FAILURES_PER_ADDRESS failures in a LOGIN_FAILURE_WINDOW_SECONDS window can log in as nobody until
the window ends: the login page answers 429, and `AddressThrottleBackend` (first in
AUTHENTICATION_BACKENDS) refuses every other login path. Counts live in Django's cache (shared between
processes with REDIS_URL, per process otherwise, like the other rate limits).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from portal.audit import client_ip
from portal.ratelimit import too_many_requests


def _key(request: HttpRequest) -> str:
    window = int(time.time() // settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return f"loginfail:ip:{client_ip(request)}:{window}"


def address_blocked(request: HttpRequest | None) -> bool:
    """True once this request's address has had too many failed logins in the current window."""
    return request is not None and (cache.get(_key(request)) or 0) >= settings.LOGIN_FAILURES_PER_ADDRESS


def count_failure(sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs: object) -> None:
    if request is None:
        return
    key = _key(request)
    if not cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS + 60):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS + 60)


def axes_username(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """The username django-axes records (AXES_USERNAME_CALLABLE): as typed, without NUL bytes, cut to 150
    characters (no account name is longer; axes' column holds 255 and PostgreSQL refuses more, while Django's
    login form does not check the length)."""
    if credentials:
        username = credentials.get("username")
    else:
        username = request.POST.get("username") if request is not None else None
    return None if username is None else str(username).replace("\x00", "")[:150]


def connect_signals() -> None:
    user_login_failed.connect(count_failure, dispatch_uid="portal.login_limit.count_failure")


class AddressThrottleBackend:
    """Authenticates nobody; refuses every login attempt (any login form) from an address over the limit.
    No `get_user`, like axes' backend, so a session is never tied to it."""

    def authenticate(self, request: HttpRequest | None, **credentials: object) -> None:
        if address_blocked(request):
            raise PermissionDenied("too many failed logins from this address")
        return None


def login(request: HttpRequest) -> HttpResponse:
    """Django's LoginView, answering 429 to an address over the limit before any password is checked."""
    if request.method == "POST" and address_blocked(request):
        minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
        response = too_many_requests(
            request, f"Too many failed logins from your address. Try again in up to {minutes} minutes."
        )
        response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW_SECONDS)
        return response
    return auth_views.LoginView.as_view()(request)
