"""GET /api/search: the shape other parts and integrations rely on."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import SearchQueryLog, Symptom

pytestmark = pytest.mark.django_db


def test_api_shape_is_exactly_as_specified(client, guide):
    response = client.get("/api/search", {"q": "451", "limit": 5})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"query", "count", "results", "explanation"}
    assert data["explanation"]["codes"][0]["code"] == "451"
    assert data["query"] == "451" and data["count"] == len(data["results"]) >= 2
    first = data["results"][0]
    assert set(first) == {"kb", "slug", "title", "url", "score", "snippet", "symptoms", "relevance"}
    assert first["kb"] == "KB-0006"
    assert first["url"] == f"/kb/6/{first['slug']}/"
    assert first["title"] == "SMTP clients receive the message 451 Try again later."
    assert isinstance(first["score"], float) and first["score"] > 0
    assert "<mark>451</mark>" in first["snippet"]
    assert first["symptoms"] == ["451 Try again later"]


def test_api_limit_and_symptoms(client, guide):
    reply = Symptom.objects.get(text="451 Try again later")
    data = client.get("/api/search", {"symptom": reply.pk}).json()
    assert [r["kb"] for r in data["results"]] == ["KB-0006", "KB-0005"] or {r["kb"] for r in data["results"]} == {
        "KB-0005",
        "KB-0006",
    }
    assert data["count"] == 2 and data["query"] == ""
    assert all(r["symptoms"] == ["451 Try again later"] for r in data["results"])
    data = client.get("/api/search", {"q": "bypassed", "limit": 1}).json()
    assert len(data["results"]) == 1 and data["count"] >= 3


def test_api_pasted_bounce(client, guide):
    data = client.get("/api/search", {"q": "550 5.7.1 <bob@example.com>: Relay access denied"}).json()
    assert data["results"][0]["kb"] == "KB-0001"
    assert data["results"][0]["symptoms"] == ["550 5.7.1 Relay access denied"]
    assert "&lt;" not in data["query"] and data["query"].startswith("550 5.7.1 <bob@")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"symptom": "abc"}, "numeric id"),
        ({"symptom": ["1", "x"]}, "numeric id"),
        ({"limit": "0"}, "limit"),
        ({"limit": "500"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"q": "a" * 20_001}, "too long"),
    ],
)
def test_api_bad_parameters_are_a_400_with_an_error(client, guide, params, message):
    response = client.get("/api/search", params)
    assert response.status_code == 400
    assert set(response.json()) == {"error"} and message in response.json()["error"]


def test_api_empty_query_is_an_empty_result(client, guide):
    assert client.get("/api/search").json() == {"query": "", "count": 0, "results": [], "explanation": None}
    assert client.get("/api/search", {"q": "  "}).json() == {
        "query": "",
        "count": 0,
        "results": [],
        "explanation": None,
    }


def test_api_searches_are_recorded(client, guide):
    client.get("/api/search", {"q": "zzzqqq"})
    log = SearchQueryLog.objects.get()
    assert (log.query, log.result_count, log.source) == ("zzzqqq", 0, "api")


def test_api_only_answers_get(client, guide):
    assert client.post("/api/search", {"q": "451"}).status_code == 405


def test_searches_over_the_rate_limit_get_a_429_with_a_message(client, guide, settings):
    from django.core.cache import cache

    cache.clear()
    settings.RATE_LIMIT_SEARCH_PER_MINUTE = 3
    statuses = [client.get("/api/search", {"q": "relay"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get("/api/search", {"q": "relay"})
    assert response.status_code == 429
    assert "at most 3 per minute" in response.json()["error"]
    page = client.get("/search/", {"q": "relay"})  # the pages share the budget
    assert page.status_code == 429
    assert "Too many requests" in page.content.decode()
    cache.clear()


def test_a_logged_in_api_call_reads_the_session_but_no_user(client, guide, django_user_model, caplog):
    user = django_user_model.objects.create_user("ivo")
    client.force_login(user)
    client.get("/api/search", {"q": "relay"})  # the answer is cached now
    with CaptureQueriesContext(connection) as queries, caplog.at_level(logging.INFO, logger="portal.requests"):
        assert client.get("/api/search", {"q": "relay"}).status_code == 200
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "django_session" in tables and "auth_user" not in tables
    logged = next(r for r in caplog.records if r.name == "portal.requests")
    assert logged.user_id == user.pk  # the request log names the session's user all the same
