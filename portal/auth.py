"""The identity of a request's session, for what needs no user object.

Users and their permissions are read by Django's own `ModelBackend` (`AUTHENTICATION_BACKENDS`), from the database
on every logged-in request: nothing about users (rows, password hashes, permissions) is kept in the cache.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest


def session_user_id(request: HttpRequest) -> object | None:
    """The id of the user the request's session is logged in as, without reading the user.

    For what needs only an identity (rate-limit counts, the request log): a view that needs no user, such as the
    JSON API, then does not load one. Sessions are kept on the server, so the id is the one a login stored; a
    session whose user has since changed their password or been deactivated still names them here.
    """
    session = getattr(request, "session", None)
    return session.get(SESSION_KEY) if session is not None else None
