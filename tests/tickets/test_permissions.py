"""The role matrix: each role does what it should; everything else is a 403 (or the login page for anonymous)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from diagnostics.services import create_run
from tickets.models import ArticleLink
from tickets.roles import GATEWAY_ADMINS, HELPDESK, KB_EDITORS

pytestmark = pytest.mark.django_db

LOGIN = "login"
ROLES = ["anonymous", "helpdesk", "admin", "other_admin", "editor"]

# (name, method, path template, data, expected per role in ROLES order)
MATRIX = [
    ("list", "get", "/tickets/", {}, [LOGIN, 200, 200, 200, 403]),
    ("detail", "get", "/tickets/{pk}/", {}, [LOGIN, 200, 200, 403, 403]),
    ("live runs", "get", "/tickets/{pk}/runs/", {}, [LOGIN, 200, 200, 403, 403]),
    ("comment", "post", "/tickets/{pk}/comment/", {"body": "Any news?"}, [LOGIN, 302, 302, 403, 403]),
    ("update", "post", "/tickets/{pk}/update/", {"status": "open", "priority": 3}, [LOGIN, 302, 403, 403, 403]),
    ("link", "post", "/tickets/{pk}/link/", {"article": "KB-0002"}, [LOGIN, 302, 403, 403, 403]),
    ("unlink", "post", "/tickets/{pk}/links/{link}/unlink/", {}, [LOGIN, 302, 403, 403, 403]),
    ("run", "post", "/tickets/{pk}/runs/start/", {"checks": ["mx_records"]}, [LOGIN, 302, 302, 403, 403]),
    ("attach", "post", "/tickets/{pk}/runs/attach/", {"run": "0"}, [LOGIN, 200, 200, 403, 403]),
    ("from run", "post", "/tickets/attach-run/", {"run": "{run}", "ticket": "{pk}"}, [LOGIN, 302, 302, 403, 403]),
    ("metrics", "get", "/tickets/metrics/", {}, [LOGIN, 200, 403, 403, 403]),
    ("report form", "get", "/report/", {}, [LOGIN, 403, 200, 200, 403]),
    ("suggestions", "get", "/report/suggestions/?title=relay", {}, [LOGIN, 403, 200, 200, 403]),
    ("solved", "post", "/report/solved/", {"article": "KB-0001"}, [LOGIN, 403, 302, 302, 403]),
]


@pytest.fixture
def users(helpdesk, admin, other_admin, editor):
    return {"anonymous": None, "helpdesk": helpdesk, "admin": admin, "other_admin": other_admin, "editor": editor}


@pytest.mark.parametrize(("name", "method", "path", "data", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(client, articles, users, ticket, name, method, path, data, expected):
    link = ArticleLink.objects.create(ticket=ticket, article=articles[6], kb_number="KB-0006")
    run = create_run(ticket.domain.target(), ["mx_records"], protected_domain=ticket.domain)
    ids = {"pk": ticket.pk, "link": link.pk, "run": run.pk}
    url = path.format(**ids)
    data = {key: value.format(**ids) if isinstance(value, str) else value for key, value in data.items()}
    for role, wanted in zip(ROLES, expected, strict=True):
        client.logout()
        if users[role]:
            client.force_login(users[role])
        response = getattr(client, method)(url, data)
        if wanted == LOGIN:
            assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (role, name)
        else:
            assert response.status_code == wanted, (role, name, response.status_code)


def test_guessing_another_users_ticket_is_a_403_and_shows_nothing(client, admin, ticket, other_ticket):
    client.force_login(admin)
    for url in (f"/tickets/{other_ticket.pk}/", f"/tickets/{other_ticket.pk}/runs/", "/tickets/99999/"):
        response = client.get(url)
        assert response.status_code == 403
        assert b"Secret details" not in response.content
    response = client.post(f"/tickets/{other_ticket.pk}/comment/", {"body": "sneaky"})
    assert response.status_code == 403
    assert not other_ticket.events.filter(body="sneaky").exists()


def test_missing_ticket_is_a_404_for_the_helpdesk(client, helpdesk):
    client.force_login(helpdesk)
    assert client.get("/tickets/99999/").status_code == 404


def test_gateway_admin_lists_only_their_own_tickets(client, admin, ticket, other_ticket):
    client.force_login(admin)
    html = client.get("/tickets/").content.decode()
    assert "My tickets" in html and ticket.title in html
    assert other_ticket.title not in html


def test_posts_without_csrf_token_are_refused(helpdesk, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(helpdesk)
    response = client.post(f"/tickets/{ticket.pk}/comment/", {"body": "no token"})
    assert response.status_code == 403
    assert not ticket.events.filter(body="no token").exists()


def test_get_on_an_action_is_not_allowed(client, helpdesk, ticket):
    client.force_login(helpdesk)
    assert client.get(f"/tickets/{ticket.pk}/comment/").status_code == 405


def test_migration_creates_the_three_groups_with_their_permissions(db):
    perms = {g.name: {p.codename for p in g.permissions.all()} for g in Group.objects.all()}
    assert {"work_ticket", "view_metrics", "add_diagnosticrun"} <= perms[HELPDESK]
    assert {"submit_ticket", "add_diagnosticrun"} <= perms[GATEWAY_ADMINS]
    assert "work_ticket" not in perms[GATEWAY_ADMINS]
    assert {"change_article", "add_symptom", "delete_step"} <= perms[KB_EDITORS]
    assert not {"work_ticket", "submit_ticket"} & perms[KB_EDITORS]


def test_nav_shows_each_role_its_links(client, helpdesk, admin, editor):
    client.force_login(helpdesk)
    html = client.get("/").content.decode()
    assert 'href="/tickets/"' in html and 'href="/tickets/metrics/"' in html and 'href="/report/"' not in html
    client.force_login(admin)
    html = client.get("/").content.decode()
    assert 'href="/report/"' in html and 'href="/tickets/metrics/"' not in html
    client.force_login(editor)
    html = client.get("/").content.decode()
    assert 'href="/tickets/"' not in html
