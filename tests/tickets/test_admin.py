"""The tickets admin: read-only tickets (changes belong on the ticket page), domain administrators editable."""

import pytest

from diagnostics.models import DomainAdmin

pytestmark = pytest.mark.django_db


def test_admin_pages_load_and_tickets_are_read_only(admin_client, ticket, domain):
    for url in (
        "/admin/tickets/ticket/",
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        "/admin/diagnostics/domainadmin/",
        "/admin/tickets/deflection/",
    ):
        assert admin_client.get(url).status_code == 200, url
    response = admin_client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", {"title": "Changed quietly"})
    ticket.refresh_from_db()
    assert response.status_code == 403 and ticket.title == "Mail bounces"


def test_assign_a_domain_to_a_gateway_admin_in_the_admin(admin_client, other_admin, domain):
    response = admin_client.post("/admin/diagnostics/domainadmin/add/", {"user": other_admin.pk, "domain": domain.pk})
    assert response.status_code == 302
    assert DomainAdmin.objects.filter(user=other_admin, domain=domain).exists()
