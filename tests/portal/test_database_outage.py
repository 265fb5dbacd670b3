"""While the database (or, with REDIS_URL, the shared cache) is unreachable, every page answers a 503 (wherever the
request first needs it) and the portal recovers by itself."""

import pytest
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.test import Client

from kb.models import Article
from portal.settings import redis_cache
from portal.views import is_locked_error

pytestmark = pytest.mark.django_db(transaction=True)


def refuse(self, *args, **kwargs):
    raise OperationalError("connection failed: the database system is shutting down (simulated)")


@pytest.fixture
def outage(monkeypatch):
    """No new database connection can be made (as while PostgreSQL restarts)."""
    connection.close()
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    return monkeypatch


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_outage_gives_503_then_recovers(guide, django_user_model, outage, logged_in):
    client = Client(raise_request_exception=False)
    if logged_in:  # the session and the user are the first things to need the database
        outage.undo()
        client.force_login(django_user_model.objects.create_user("helpdesk"))
        connection.close()
        outage.setattr(
            BaseDatabaseWrapper, "ensure_connection", lambda self: (_ for _ in ()).throw(OperationalError("down"))
        )
    response = client.get("/kb/8/")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
    assert response["Retry-After"] == "5"
    api = client.get("/api/search?q=relay")
    assert api.status_code == 503 and api.json()["error"].startswith("The database is unavailable")
    outage.undo()
    assert client.get("/kb/8/", follow=True).status_code == 200


def test_other_errors_are_still_500_pages(settings):
    from portal.views import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(Client().get("/").wsgi_request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_locked_sqlite_is_not_hidden_as_an_outage():
    assert is_locked_error(Exception("database is locked"))
    assert not is_locked_error(Exception("connection refused"))


def test_a_session_that_cannot_be_saved_during_an_outage_is_a_503(guide, django_user_model, monkeypatch):
    """Django's session middleware turns a failed session update into a 400 ("session deleted"); during an outage
    the reader gets the outage page instead."""
    from django.contrib.sessions.models import Session

    client = Client(raise_request_exception=False)
    client.force_login(django_user_model.objects.create_user("helpdesk"))
    url = Article.objects.get(number=8).get_absolute_url()
    monkeypatch.setattr(Session, "save", refuse)  # the database goes away after the session was read
    response = client.post(f"{url}firmware/", {"firmware": ""})  # the view stores the firmware in the session
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
    monkeypatch.undo()
    assert client.post(f"{url}firmware/", {"firmware": ""}).status_code == 302


def test_other_bad_requests_are_still_400(client):
    assert client.get("/", HTTP_HOST="bad host").status_code == 400


def test_a_cache_server_that_does_not_answer_gives_the_outage_page(guide, settings, silent_server):
    """With REDIS_URL, a hung Redis fails each command after its timeout: the 503 page, not a 500."""
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{silent_server}/0", timeout=0.5)}
    article = Article.objects.get(number=8)
    client = Client(raise_request_exception=False)
    api = client.get("/api/search?q=relay")  # the rate-limit count is the first thing to need the cache
    assert api.status_code == 503 and api["Retry-After"] == "5"
    page = client.get(article.get_absolute_url())  # the article's body is read from the cache
    assert page.status_code == 503 and "Temporarily unavailable" in page.content.decode()
