"""Run by tests/boundaries/test_without_tickets.py with `--ds tests.boundaries.settings_without_tickets`: the KB
and diagnostics pages with the tickets app absent from INSTALLED_APPS (not collected in the normal run)."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission, User

from diagnostics.models import DomainAdmin, ProtectedDomain
from diagnostics.services import create_run
from kb.models import Article

pytestmark = pytest.mark.django_db


def test_tickets_is_not_installed():
    assert not apps.is_installed("tickets")


@pytest.mark.parametrize("who", ["anonymous", "user", "superuser"])
def test_kb_pages_render(client, guide, who):
    if who == "user":
        client.force_login(User.objects.create_user("reader"))
    elif who == "superuser":
        client.force_login(User.objects.create_superuser("boss"))
    article = Article.objects.get(number=6)
    for url in ("/", article.get_absolute_url(), "/search/?q=relay", "/symptoms/", "/api/search?q=451"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "/tickets/" not in response.content.decode(), url
    assert article.title in client.get(article.get_absolute_url()).content.decode()
    assert client.get("/tickets/").status_code == 404


def test_diagnostics_pages_render(client, guide):
    user = User.objects.create_user("admin1")
    user.user_permissions.add(Permission.objects.get(codename="add_diagnosticrun"))
    domain = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    DomainAdmin.objects.create(user=user, domain=domain)  # a gateway admin sees the runs of their domains
    client.force_login(user)
    assert client.get("/diagnostics/").status_code == 200
    run = create_run(domain.target(), ["mx_records"], user=user, protected_domain=domain)
    response = client.get(run.get_absolute_url())
    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.content.decode()
    assert "Run again" in page and "Attach to ticket" not in page
    client.force_login(User.objects.create_superuser("boss"))  # holds every permission, tickets' too
    assert client.get("/diagnostics/").status_code == 200
