"""The rate-limit decorator: over the limit, a 429 with a message; others are not affected."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from portal.models import AuditEvent
from portal.ratelimit import rate_limit

pytestmark = pytest.mark.django_db


@rate_limit("test", "TEST_RATE_LIMIT")
def view(request):
    return HttpResponse("ok")


@pytest.fixture(autouse=True)
def three_per_minute(settings):
    settings.TEST_RATE_LIMIT = 3


def request_from(ip: str, path: str = "/search/"):
    request = RequestFactory().get(path, REMOTE_ADDR=ip)
    request.user = AnonymousUser()
    return request


def test_requests_over_the_limit_get_a_429_with_a_message():
    cache.clear()
    statuses = [view(request_from("10.0.0.1")).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = view(request_from("10.0.0.1"))
    assert "at most 3 per minute" in response.content.decode()
    assert response["Retry-After"] == "60"
    # One audit row per client and minute counts the three 429s (two rows if a minute ended meanwhile).
    counts = list(AuditEvent.objects.filter(kind="rate_limited").values_list("count", flat=True))
    assert sum(counts) == 3 and len(counts) <= 2


def test_other_clients_keep_their_own_budget():
    cache.clear()
    for _ in range(4):
        view(request_from("10.0.0.1"))
    assert view(request_from("10.0.0.2")).status_code == 200


def test_api_paths_get_json_errors():
    cache.clear()
    for _ in range(3):
        view(request_from("10.0.0.3", "/api/search"))
    response = view(request_from("10.0.0.3", "/api/search"))
    assert response.status_code == 429
    assert json.loads(response.content)["error"].startswith("Too many requests")


def test_a_logged_in_user_is_counted_by_their_session_whatever_the_address(client, django_user_model, settings):
    cache.clear()
    settings.RATE_LIMIT_SEARCH_PER_MINUTE = 2
    client.force_login(django_user_model.objects.create_user("ulla"))
    statuses = [client.get("/api/search", REMOTE_ADDR=f"10.0.1.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/search", REMOTE_ADDR="10.0.1.9").status_code == 429
    client.logout()
    assert client.get("/api/search", REMOTE_ADDR="10.0.1.9").status_code == 200  # now counted by address
    cache.clear()
