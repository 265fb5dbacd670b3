"""Every page and form of the portal, fed hostile input: never a 500, and CSRF on every POST.

The URL list is read from the URL configuration, so a new view is covered the day it is added
(and a new URL parameter fails loudly here until it gets a sample value below).
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnostics.models import ProtectedDomain
from kb.models import Article
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SKIPPED_PREFIXES = ("admin/",)  # Django's admin has its own tests
PARAMETER_RE = re.compile(r"<(?:(\w+):)?(\w+)>")
QUERY_KEYS = ["q", "symptom", "limit", "page", "status", "assignee", "domain", "article", "sort", "mine", "hx"]
FORM_KEYS = QUERY_KEYS + [
    "title",
    "description",
    "evidence",
    "body",
    "internal",
    "note",
    "checks",
    "protected_domain",
    "firmware",
    "priority",
    "symptoms",
    "kb",
    "run",
    "username",
    "password",
]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["\x00", "' OR 1=1 --", '"*', "NEAR(", "<script>alert(1)</script>", "../../etc/passwd", "-1"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.just("x" * 20_000),
    st.just("🙂" * 500),
)
VALUES = st.one_of(HOSTILE_TEXT, st.lists(HOSTILE_TEXT, max_size=4))
HEALTH_CHECK = "/healthz"  # its 503 means "no worker seen": the answer, not a failure


def acceptable(path: str, status: int) -> bool:
    return status < 500 or (path == HEALTH_CHECK and status == 503)


def url_patterns(resolvers=None, prefix=""):
    """(namespace, route) for every URL pattern outside the admin."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


@pytest.fixture
def world(guide, django_user_model):
    """One of everything the URLs point at; returns sample values for URL parameters."""
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "a-long-password-1")
    ProtectedDomain.objects.create(name="example.com", gateway_hosts="mx.example.com")
    ticket = Ticket.objects.create(title="Mail is bounced", requester=admin)
    article = Article.objects.get(number=6)
    return admin, {
        "pk": str(ticket.pk),
        "number": str(article.number),
        "slug": article.slug,
        "domain": "example.com",
        "search_id": "1",
        "link_pk": "1",
        "uidb64": "MQ",
        "token": "set-password",
    }


def concrete_paths(samples: dict[str, str]) -> list[str]:
    paths = []
    for route in url_patterns():

        def fill(match, route=route):
            name = match.group(2)
            assert name in samples, f"add a sample value for <{name}> in {route!r} to this test"
            return samples[name]

        paths.append("/" + PARAMETER_RE.sub(fill, route.lstrip("^").rstrip("$")))
    return paths


def test_every_route_is_covered(world):
    _, samples = world
    paths = concrete_paths(samples)
    assert "/search/" in paths and "/api/search" in paths and "/report/" in paths
    assert any(p.startswith("/tickets/") for p in paths) and any(p.startswith("/diagnostics/") for p in paths)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(QUERY_KEYS) | st.text(max_size=8), VALUES, max_size=4))
def test_hostile_query_strings_never_cause_a_500(client, world, query):
    admin, samples = world
    client.force_login(admin)
    for path in concrete_paths(samples):
        response = client.get(path, query)
        assert acceptable(path, response.status_code), (path, query, response.status_code)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.dictionaries(st.sampled_from(FORM_KEYS) | st.text(max_size=8), VALUES, max_size=6))
def test_hostile_forms_never_cause_a_500(client, world, form):
    admin, samples = world
    client.force_login(admin)
    for path in concrete_paths(samples):
        response = client.post(path, form)
        assert acceptable(path, response.status_code), (path, form, response.status_code)
        response = client.post(path, form, headers={"HX-Request": "true"})
        assert acceptable(path, response.status_code), (path, form, response.status_code)


def test_every_post_without_a_csrf_token_is_refused(world):
    admin, samples = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    for path in concrete_paths(samples):
        response = client.post(path, {"q": "relay", "body": "hello"})
        assert response.status_code == 403, f"{path} accepted a POST without a CSRF token"
