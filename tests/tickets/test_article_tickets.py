"""The article page tells helpdesk users in how many tickets the article is linked, with the list."""

import pytest

from tickets import services
from tickets.linked import linked_tickets_block

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


def test_unlinked_article_shows_no_block(client, helpdesk, articles):
    client.force_login(helpdesk)
    html = client.get(articles[6].get_absolute_url()).content.decode()
    assert "Linked in" not in html and 'class="article-tickets"' not in html


def block(client, article) -> str:
    html = client.get(article.get_absolute_url()).content.decode()
    if 'class="article-tickets"' not in html:
        return ""
    return html[html.index('class="article-tickets"') : html.index("</section>", html.index('class="article-tickets"'))]


def test_the_block_follows_links_comments_status_and_deletions_at_once(client, helpdesk, admin, ticket, articles):
    client.force_login(helpdesk)
    other = services.create_ticket(admin, title="Second bypass")
    assert block(client, articles[2]) == ""  # no "Linked in 0 tickets"
    services.link_article(ticket, helpdesk, articles[2])
    services.link_article(other, helpdesk, articles[2])
    html = block(client, articles[2])
    assert "Linked in 2 tickets" in html and html.index("Second bypass") < html.index(ticket.title)

    services.add_comment(ticket, helpdesk, "Checked the MX records")  # most recently updated comes first
    html = block(client, articles[2])
    assert html.index(ticket.title) < html.index("Second bypass")

    services.update_ticket(other, helpdesk, status="resolved")
    assert "Resolved" in block(client, articles[2])

    services.unlink_article(ticket, helpdesk, ticket.links.get())
    assert ticket.title not in block(client, articles[2])
    other.delete()
    assert block(client, articles[2]) == ""


def test_an_unchanged_block_is_not_read_again(helpdesk, ticket, articles, django_assert_num_queries):
    services.link_article(ticket, helpdesk, articles[2])
    first = linked_tickets_block(articles[2])
    assert ticket.title in first
    with django_assert_num_queries(0):
        assert linked_tickets_block(articles[2]) == first
