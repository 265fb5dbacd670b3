"""The ticket page: facts, timeline (internal notes only for the helpdesk), the search-and-link widget."""

import pytest

from tickets import services

pytestmark = pytest.mark.django_db


def test_ticket_page_shows_number_facts_and_timeline(client, helpdesk, ticket):
    services.add_comment(ticket, helpdesk, "We are looking into it")
    client.force_login(helpdesk)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert f"T-{ticket.pk:05d}" in html and "Mail bounces" in html and "example.com" in html
    assert "opened the ticket" in html and "We are looking into it" in html


def test_internal_notes_are_hidden_from_the_requester(client, helpdesk, admin, ticket):
    services.add_comment(ticket, helpdesk, "Customer misconfigured MX", internal=True)
    client.force_login(helpdesk)
    assert "Customer misconfigured MX" in client.get(ticket.get_absolute_url()).content.decode()
    client.force_login(admin)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "Customer misconfigured MX" not in html
    assert "Work the ticket" not in html and "Find an article to link" not in html


def test_link_widget_searches_without_javascript(client, guide, helpdesk, ticket):
    client.force_login(helpdesk)
    html = client.get(f"{ticket.get_absolute_url()}?link_q=relay+access").content.decode()
    assert 'value="KB-0001"' in html and "Link KB-0001" in html


def test_link_widget_answers_htmx_with_its_partial(client, guide, helpdesk, ticket):
    client.force_login(helpdesk)
    response = client.get(
        f"{ticket.get_absolute_url()}?part=link-results&link_q=greylsiting", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="link-results"')
    assert "KB-0006" in html and "<html" not in html


def test_link_widget_with_nothing_found_says_so(client, guide, helpdesk, ticket):
    client.force_login(helpdesk)
    html = client.get(f"{ticket.get_absolute_url()}?link_q=zzzzqqqq").content.decode()
    assert "No articles found." in html


def test_ticket_page_queries_do_not_grow_with_the_timeline(client, helpdesk, admin, ticket, articles):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from diagnostics.services import create_run
    from tickets.runs import attach

    client.force_login(helpdesk)

    def grow():
        services.add_comment(ticket, helpdesk, "See KB-0002 and KB-0006")
        services.add_comment(ticket, admin, "Thanks")
        services.update_ticket(ticket, helpdesk, status="open", assignee=helpdesk)
        attach(ticket, helpdesk, create_run(ticket.domain.target(), ["mx_records"], protected_domain=ticket.domain))

    grow()
    with CaptureQueriesContext(connection) as before:
        client.get(ticket.get_absolute_url())
    for _ in range(3):
        grow()
    with CaptureQueriesContext(connection) as after:
        response = client.get(ticket.get_absolute_url())
    assert response.content.decode().count('class="event event-reply"') == 8
    assert len(after) == len(before)
