"""Anonymous requests in bulk store a bounded amount: repeated audit events are counted per client, kind and
minute in one row; searches create no session and an anonymous client's analytics rows are capped."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from kb.models import SearchQueryLog
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def in_one_minute(scenario):
    """Run `scenario` so that it starts and ends in the same minute (rows are per minute); at most twice."""
    for _ in range(2):
        AuditEvent.objects.all().delete()
        SearchQueryLog.objects.all().delete()
        cache.clear()
        started = timezone.now().replace(second=0, microsecond=0)
        result = scenario()
        if timezone.now().replace(second=0, microsecond=0) == started:
            return result
    raise AssertionError("two minute boundaries in two short runs")


def rows(kind):
    return list(AuditEvent.objects.filter(kind=kind).values_list("source", "count", "ip_address"))


def test_200_csrf_failures_from_one_client_are_one_counted_row():
    browser = Client(enforce_csrf_checks=True)

    def flood():
        statuses = set()
        for _ in range(200):
            browser.cookies.clear()  # cookie-less, as a script sends them
            statuses.add(browser.post("/accounts/login/", {"username": "x", "password": "y"}).status_code)
        return statuses

    assert in_one_minute(flood) == {403}
    assert rows("permission_denied") == [("127.0.0.1", 200, "127.0.0.1")]
    event = AuditEvent.objects.get()
    assert event.detail.startswith("CSRF") and event.path == "/accounts/login/" and event.last_seen_at


def test_429s_are_counted_in_one_row_per_client(client, settings):
    settings.RATE_LIMIT_SEARCH_PER_MINUTE = 2

    def flood():
        return [client.get("/api/search", {"q": "relay"}, REMOTE_ADDR="198.51.100.9").status_code for _ in range(30)]

    assert in_one_minute(flood).count(429) == 28
    assert rows("rate_limited") == [("198.51.100.9", 28, "198.51.100.9")]


def test_an_ipv6_client_is_counted_per_64_and_users_apart(client, django_user_model):
    strict = Client(enforce_csrf_checks=True)
    user = django_user_model.objects.create_user("alice", password="a-long-test-password-1")

    def flood():
        for address in ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:3::1", "::ffff:192.0.2.7"):
            strict.post("/accounts/login/", {}, REMOTE_ADDR=address)
        strict.force_login(user)
        strict.post("/accounts/login/", {}, REMOTE_ADDR="2001:db8:1:2::1")

    in_one_minute(flood)
    counts = dict(AuditEvent.objects.filter(kind="permission_denied").values_list("source", "count"))
    assert counts == {
        "2001:db8:1:2::/64": 2,
        "2001:db8:1:3::/64": 1,
        "192.0.2.7": 1,
        f"2001:db8:1:2::/64 user {user.pk}": 1,
    }


def test_past_the_bound_of_new_clients_a_minute_the_others_share_a_row(settings):
    settings.AUDIT_NEW_SOURCES_PER_MINUTE = 3
    strict = Client(enforce_csrf_checks=True)

    def flood():
        for n in range(1, 11):
            for _ in range(2):
                strict.post("/accounts/login/", {}, REMOTE_ADDR=f"203.0.113.{n}")

    in_one_minute(flood)
    counts = dict(AuditEvent.objects.filter(kind="permission_denied").values_list("source", "count"))
    assert counts == {"203.0.113.1": 2, "203.0.113.2": 2, "203.0.113.3": 2, "other sources": 14}


def test_other_events_keep_one_row_each(client, django_user_model):
    django_user_model.objects.create_user("alice", password="a-long-test-password-1")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert list(AuditEvent.objects.values_list("kind", "count")) == [("login_failed", 1), ("login_failed", 1)]


def test_a_cookieless_search_creates_no_session_and_is_still_recorded(guide):
    browser = Client()
    response = browser.get("/search/", {"q": "greylisting"})
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == 0
    assert list(SearchQueryLog.objects.values_list("query", "source")) == [("greylisting", "page")]
    typing = Client()
    for query in ("grey", "greyl", "greylisting"):
        typing.get("/search/", {"q": query}, headers={"HX-Request": "true"})
    assert Session.objects.count() == 0
    assert SearchQueryLog.objects.filter(source="typing").count() == 1  # refined through a signed cookie


def test_a_forged_search_cookie_refines_nothing(guide):
    own = Client()
    own.get("/search/", {"q": "grey"}, headers={"HX-Request": "true"})
    victim = SearchQueryLog.objects.get()
    forger = Client()
    forger.cookies["search_log"] = str(victim.pk)
    forger.get("/search/", {"q": "greylisting"}, headers={"HX-Request": "true"})
    victim.refresh_from_db()
    assert victim.query == "grey" and SearchQueryLog.objects.count() == 2


def test_an_anonymous_client_stores_a_bounded_number_of_searches(guide, settings, django_user_model):
    settings.SEARCH_LOG_ANONYMOUS_PER_MINUTE = 5
    settings.RATE_LIMIT_SEARCH_PER_MINUTE = 1000
    user = django_user_model.objects.create_user("alice", password="a-long-test-password-1")

    def flood():
        bot = Client()
        statuses = {bot.get("/search/", {"q": f"relay {n}"}).status_code for n in range(20)}
        statuses |= {bot.get("/api/search", {"q": f"relay {n}"}).status_code for n in range(5)}
        reader = Client()
        reader.force_login(user)
        statuses |= {reader.get("/search/", {"q": f"mx {n}"}).status_code for n in range(8)}
        return statuses

    assert in_one_minute(flood) == {200}
    assert SearchQueryLog.objects.filter(query__startswith="relay").count() == 5  # page and API share the bound
    assert SearchQueryLog.objects.filter(query__startswith="mx").count() == 8  # logged-in users: every search
