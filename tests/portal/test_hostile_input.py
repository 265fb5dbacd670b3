"""Every page and form of the portal, fed hostile input as every role: never a 5xx, and CSRF on every POST.

Routes are read from the URL configuration and parameters from the code (every field of every form the
project defines or serves, and every name a view reads from request.GET/POST), so a new view, form or
parameter is covered the day it is added (a new URL parameter fails loudly here until it gets a sample value).
Values: Unicode digits (`²`, `١`, `𝟗`, `Ⅻ`), integers past 32 and 64 bits and past `int()`'s digit limit,
NUL bytes, overlong text, and the number formats the portal reads (T-00042, KB-0006) spelled with those.
"""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnostics.models import DomainAdmin, ProtectedDomain
from diagnostics.services import create_run
from kb.models import Article, SearchQueryLog, Symptom
from tickets import services
from tickets.roles import GATEWAY_ADMINS, HELPDESK, KB_EDITORS, ensure_groups

pytestmark = pytest.mark.django_db
SKIPPED_PREFIXES = ("admin/",)  # Django's admin has its own tests
PARAMETER_RE = re.compile(r"<(?:(\w+):)?(\w+)>")
PROJECT_APPS = ("kb", "tickets", "diagnostics", "portal")
SERVED_DJANGO_FORMS = ("django.contrib.auth.forms",)  # /accounts/ serves these
# request.GET.get("q"), request.POST.getlist("symptom"), data.get("limit") (a QueryDict handed on), ...
READ_PARAMETER_RE = re.compile(r"""(?:request\.(?:GET|POST)|\bdata|\bquery)\.(?:get|getlist)\(\s*["'](\w+)["']""")
EXTRA_PARAMETERS = ("next", "action", "hx")  # read by Django's views and templates
ROLES = ("anonymous", "gateway_admin", "helpdesk", "kb_editor", "superuser")
HEALTH_CHECK = "/healthz"  # its 503 means "no worker seen": the answer, not a failure

UNICODE_DIGITS = ["²", "١٢٣", "𝟗", "Ⅻ"]  # isdigit() is true for all; int() reads the 2nd and 3rd, refuses the rest
HUGE_INTEGERS = [str(2**63), "9" * 40, "-" + "9" * 40, "1" * 4400]  # past 64 bits; past int()'s digit limit
NUL_VALUES = ["\x00", "1\x00"]
OVERLONG = ["x" * 20_001]
PREFIXED = ["T-²", "KB-" + "9" * 40, "KB-٠٠٠٦"]  # ticket and KB numbers spelled with the above
SWEEP_VALUES = UNICODE_DIGITS + HUGE_INTEGERS + NUL_VALUES + OVERLONG + PREFIXED + ["-1", " 1 "]
MORE_VALUES = ["١", "٠٠٠٦", "꘩", str(2**31), str(2**64), "0", "+1", "1_0", "relay\x00denied", "🙂" * 5_000]
MORE_VALUES += ["9" * 20_001, "T-" + "9" * 40, "KB-²", "KB-0006\x00"]

HOSTILE_TEXT = st.one_of(
    st.sampled_from(SWEEP_VALUES + MORE_VALUES),
    st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=30),  # any Unicode digits
    st.integers(min_value=-(2**90), max_value=2**90).map(str),
    st.tuples(st.sampled_from(["T-", "KB-", ""]), st.integers(min_value=2**62, max_value=2**90)).map(
        lambda t: f"{t[0]}{t[1]}"
    ),
    st.text(max_size=40).map(lambda t: t + "\x00"),
    st.text(max_size=300),
    st.sampled_from(["' OR 1=1 --", '"*', "NEAR(", "<script>alert(1)</script>", "../../etc/passwd", "(a+)+$"]),
)
HOSTILE = st.one_of(HOSTILE_TEXT, st.lists(HOSTILE_TEXT, min_size=1, max_size=4))


def acceptable(path: str, status: int) -> bool:
    return status < 500 or (path == HEALTH_CHECK and status == 503)


def url_patterns(resolvers=None, prefix=""):
    """Every route outside the admin."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def form_classes(cls=forms.BaseForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from form_classes(sub)


def parameter_names() -> list[str]:
    """Every request parameter the portal reads: form fields (the URLconf has imported every view and form)
    and names read straight from the request in the project's code."""
    names = set(EXTRA_PARAMETERS)
    for form_class in form_classes():
        module = form_class.__module__
        if module.split(".")[0] in PROJECT_APPS or module.startswith(SERVED_DJANGO_FORMS):
            names.update(getattr(form_class, "base_fields", {}))
    base = Path(django_settings.BASE_DIR)
    for app in PROJECT_APPS:
        for source in (base / app).rglob("*.py"):
            if "migrations" not in source.parts:
                names.update(READ_PARAMETER_RE.findall(source.read_text(encoding="utf-8")))
    return sorted(names)


@pytest.fixture
def world(guide, django_user_model, settings):
    """One of everything the URLs point at, a user per role, sample values for URL and form parameters."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RATE_LIMIT_SEARCH_PER_MINUTE = 10**6  # a 429 would hide what the view does with the input
    settings.DIAG_RATE_LIMIT = 10**6
    settings.LOGIN_FAILURES_PER_ADDRESS = 10**6
    ensure_groups()
    users = {"anonymous": None}
    for role, name, group in [
        ("gateway_admin", "gary", GATEWAY_ADMINS),
        ("helpdesk", "hanna", HELPDESK),
        ("kb_editor", "erik", KB_EDITORS),
    ]:
        users[role] = django_user_model.objects.create_user(name, f"{name}@example.com", "a-long-password-1")
        users[role].groups.add(Group.objects.get(name=group))
    users["kb_editor"].is_staff = True
    users["kb_editor"].save()
    users["superuser"] = django_user_model.objects.create_superuser("root", "root@example.com", "a-long-password-1")
    domain = ProtectedDomain.objects.create(name="example.com", gateway_hosts="mx.example.com")
    DomainAdmin.objects.create(user=users["gateway_admin"], domain=domain)
    article = Article.objects.get(number=6)
    ticket = services.create_ticket(users["gateway_admin"], title="Mail is bounced", domain=domain)
    services.link_article(ticket, users["helpdesk"], article)
    run = create_run(domain.target(), ["mx_records"], user=users["gateway_admin"], protected_domain=domain)
    log = SearchQueryLog.objects.create(query="relay", result_count=1)
    samples = {
        "pk": str(ticket.pk),
        "number": str(article.number),
        "slug": article.slug,
        "domain": "example.com",
        "search_id": str(log.pk),
        "link_pk": str(ticket.links.get().pk),
        "uidb64": "MQ",
        "token": "set-password",
    }
    valid = {  # a valid value per form parameter, so that one hostile parameter meets otherwise valid input
        "q": "relay access denied",
        "symptom": str(Symptom.objects.first().pk),
        "article": "KB-0006",
        "run": str(run.pk),
        "ticket": str(ticket.pk),
        "domain": str(domain.pk),
        "protected_domain": str(domain.pk),
        "checks": "mx_records",
        "title": "Bounces",
        "description": "Users get 451.",
        "evidence": "451 4.7.1 Try again later",
        "body": "See KB-0006.",
        "status": "open",
        "priority": "2",
        "assignee": str(users["helpdesk"].pk),
        "firmware": "7.4",
        "limit": "5",
        "page": "1",
        "position": "1",
    }
    return users, samples, valid


def concrete_paths(samples: dict[str, str]) -> list[str]:
    paths = []
    for route in url_patterns():

        def fill(match, route=route):
            name = match.group(2)
            assert name in samples, f"add a sample value for <{name}> in {route!r} to this test"
            return samples[name]

        paths.append("/" + PARAMETER_RE.sub(fill, route.lstrip("^").rstrip("$")))
    return paths


def client_as(users: dict, role: str) -> Client:
    client = Client()
    if users[role] is not None:
        client.force_login(users[role])
    return client


def check(client: Client, users: dict, role: str, method: str, path: str, data: dict, **extra: object) -> None:
    response = getattr(client, method)(path, data, **extra)
    assert acceptable(path, response.status_code), (role, method, path, data, response.status_code)
    if path.startswith("/accounts/logout/") and users[role] is not None:
        client.force_login(users[role])  # stay in the role for the next request


def test_every_route_and_parameter_is_covered(world):
    _, samples, _ = world
    paths = concrete_paths(samples)
    assert "/search/" in paths and "/api/search" in paths and "/report/" in paths and "/accounts/login/" in paths
    assert any(p.startswith("/tickets/") for p in paths) and any(p.startswith("/diagnostics/") for p in paths)
    names = parameter_names()
    # the parameters of issue 18's reproductions, found without being listed here
    for name in ("position", "q", "article", "symptom", "run", "ticket", "limit", "checks", "protected_domain"):
        assert name in names, name
    assert {"username", "password", "new_password1", "email"} <= set(names)  # Django's forms served under /accounts/


@pytest.mark.parametrize("role", ROLES)
def test_every_parameter_of_every_route_refuses_hostile_values_without_a_5xx(world, role):
    """Deterministic sweep: each hostile value in every parameter at once, GET and POST (and htmx), per route."""
    users, samples, _ = world
    names = parameter_names()
    client = client_as(users, role)
    for path in concrete_paths(samples):
        for value in SWEEP_VALUES:
            data = dict.fromkeys(names, value)
            check(client, users, role, "get", path, data)
            check(client, users, role, "post", path, data)
        check(client, users, role, "post", path, dict.fromkeys(names, "²"), headers={"HX-Request": "true"})


@pytest.mark.parametrize("role", ["anonymous", "gateway_admin", "superuser"])
def test_hostile_path_segments_are_4xx(world, role):
    """Each URL parameter (`<id:...>`, `<slug:...>`, `<str:...>`) of each route, alone hostile: huge, Unicode,
    NUL, overlong."""
    users, samples, _ = world
    client = client_as(users, role)
    for route in url_patterns():
        for name in dict.fromkeys(match.group(2) for match in PARAMETER_RE.finditer(route)):
            for value in ["9" * 40, str(2**63), "%C2%B2", "%D9%A1", "%00", "1%00", "x" * 3000, "-1", "0"]:
                path = "/" + PARAMETER_RE.sub(
                    lambda m, name=name, value=value: value if m.group(2) == name else samples[m.group(2)], route
                )
                check(client, users, role, "get", path, {})
                check(client, users, role, "post", path, {})


# Some parameters hostile, the others valid, so that a value reaches code past a form's other checks.
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), role=st.sampled_from(ROLES))
def test_hostile_query_strings_never_cause_a_5xx(world, data, role):
    users, samples, valid = world
    names = parameter_names()
    query = data.draw(st.dictionaries(st.sampled_from(names) | st.text(max_size=8), HOSTILE, max_size=5))
    client = client_as(users, role)
    for path in concrete_paths(samples):
        check(client, users, role, "get", path, {**valid, **query})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), role=st.sampled_from(ROLES))
def test_hostile_forms_never_cause_a_5xx(world, data, role):
    users, samples, valid = world
    names = parameter_names()
    form = data.draw(st.dictionaries(st.sampled_from(names) | st.text(max_size=8), HOSTILE, max_size=6))
    client = client_as(users, role)
    for path in concrete_paths(samples):
        check(client, users, role, "post", path, {**valid, **form})
        check(client, users, role, "post", path, {**valid, **form}, headers={"HX-Request": "true"})


def test_every_post_without_a_csrf_token_is_refused(world):
    users, samples, _ = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["superuser"])
    for path in concrete_paths(samples):
        response = client.post(path, {"q": "relay", "body": "hello"})
        assert response.status_code == 403, f"{path} accepted a POST without a CSRF token"
