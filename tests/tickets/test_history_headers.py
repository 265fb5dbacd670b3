"""Ticket pages answering htmx with a part from the page's URL: Vary: HX-Request, and the part is never stored."""

import pytest
from django.utils.cache import has_vary_header

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_ticket_list_page_and_partial(client, helpdesk):
    client.force_login(helpdesk)
    page = client.get("/tickets/", {"q": "x"})
    part = client.get("/tickets/", {"q": "x"}, headers=HTMX)
    assert b"<html" in page.content and b"<html" not in part.content
    assert has_vary_header(page, "HX-Request") and has_vary_header(part, "HX-Request")
    assert not no_store(page) and no_store(part)
    assert b'hx-history="false"' in page.content


def test_ticket_page_and_its_link_results_partial(client, guide, helpdesk, ticket):
    client.force_login(helpdesk)
    url = ticket.get_absolute_url()
    page = client.get(url)
    part = client.get(url, {"part": "link-results", "link_q": "greylisting"}, headers=HTMX)
    assert b"<html" in page.content and b"<html" not in part.content
    assert has_vary_header(page, "HX-Request") and not no_store(page)
    assert has_vary_header(part, "HX-Request") and no_store(part)


def test_report_suggestions_partial_is_not_stored(client, guide, admin, domain):
    client.force_login(admin)
    response = client.get("/report/suggestions/", {"evidence": "451 Try again later"}, headers=HTMX)
    assert response.status_code == 200 and b'id="suggestions"' in response.content
    assert has_vary_header(response, "HX-Request") and no_store(response)
