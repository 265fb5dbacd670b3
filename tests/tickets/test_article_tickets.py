"""The article page tells helpdesk users in how many tickets the article is linked, with the list."""

import pytest

from tickets import services

pytestmark = pytest.mark.django_db


def test_helpdesk_sees_linked_in_n_tickets(client, helpdesk, admin, ticket, articles):
    other = services.create_ticket(admin, title="Second bypass")
    for t in (ticket, other):
        services.link_article(t, helpdesk, articles[2])
    client.force_login(helpdesk)
    html = client.get(articles[2].get_absolute_url()).content.decode()
    assert "Linked in 2 tickets" in html
    assert ticket.number in html and "Second bypass" in html and ticket.get_absolute_url() in html


def test_others_do_not_see_ticket_links(client, helpdesk, admin, editor, ticket, articles):
    services.link_article(ticket, helpdesk, articles[2])
    for user in (None, admin, editor):
        client.logout()
        if user:
            client.force_login(user)
        html = client.get(articles[2].get_absolute_url()).content.decode()
        assert "Linked in" not in html and ticket.title not in html


def test_unlinked_article_shows_zero(client, helpdesk, articles):
    client.force_login(helpdesk)
    assert "Linked in 0 tickets" in client.get(articles[6].get_absolute_url()).content.decode()
