"""While the database is unreachable, pages answer a 503 and recover by themselves."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_outage_gives_503_page_then_recovers(client, guide, monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.utils import OperationalError

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused (simulated outage)")

    connection.close()
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    response = client.get("/kb/8/")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
    assert response["Retry-After"] == "5"
    api = client.get("/api/search?q=relay")
    assert api.status_code == 503 and api.json()["error"].startswith("The database is unavailable")
    monkeypatch.undo()
    assert client.get("/kb/8/", follow=True).status_code == 200


def test_locked_sqlite_is_not_hidden_as_an_outage():
    from portal.middleware import is_locked_error

    assert is_locked_error(Exception("database is locked"))
    assert not is_locked_error(Exception("connection refused"))
