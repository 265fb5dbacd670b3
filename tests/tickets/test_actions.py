"""Comments (with KB numbers auto-linked), status/priority/assignee changes, linking and unlinking articles."""

import pytest

from tickets import services
from tickets.models import ArticleLink, Event

pytestmark = pytest.mark.django_db


def test_comment_with_a_kb_number_links_the_article_and_renders_a_link(client, helpdesk, ticket, articles):
    client.force_login(helpdesk)
    response = client.post(f"/tickets/{ticket.pk}/comment/", {"body": "This is KB-0006, see there."})
    assert response.status_code == 302
    link = ArticleLink.objects.get(ticket=ticket)
    assert (link.kb_number, link.article, link.linked_by) == ("KB-0006", articles[6], helpdesk)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert 'This is <a href="/kb/6/">KB-0006</a>, see there.' in html
    assert ticket.events.filter(kind=Event.Kind.LINKED, data__kb_number="KB-0006").exists()


def test_unknown_kb_numbers_and_markup_in_comments_are_harmless(client, helpdesk, ticket, articles):
    client.force_login(helpdesk)
    client.post(f"/tickets/{ticket.pk}/comment/", {"body": "KB-9999 <script>alert(1)</script>"})
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert not ArticleLink.objects.exists()


def test_gateway_admin_replies_but_cannot_link_or_write_internal_notes(client, admin, ticket, articles):
    client.force_login(admin)
    client.post(f"/tickets/{ticket.pk}/comment/", {"body": "Still broken, KB-0006 did not help", "internal": "on"})
    event = ticket.events.get(kind__in=Event.COMMENTS)
    assert event.kind == Event.Kind.REPLY
    assert not ArticleLink.objects.exists()


def test_empty_comment_rerenders_with_a_message(client, helpdesk, ticket):
    client.force_login(helpdesk)
    response = client.post(f"/tickets/{ticket.pk}/comment/", {"body": "", "internal": "on"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ticket.events.filter(kind__in=Event.COMMENTS).exists()


def test_too_long_comment_keeps_what_was_typed(client, helpdesk, ticket):
    client.force_login(helpdesk)
    body = "x" * 10001
    html = client.post(f"/tickets/{ticket.pk}/comment/", {"body": body}).content.decode()
    assert "at most 10000 characters" in html and body in html


def test_update_records_one_timeline_entry_per_change(client, helpdesk, helpdesk2, ticket):
    client.force_login(helpdesk)
    data = {"status": "resolved", "priority": 4, "assignee": helpdesk2.pk}
    assert client.post(f"/tickets/{ticket.pk}/update/", data).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("resolved", 4, helpdesk2)
    assert ticket.resolved_at is not None
    kinds = list(ticket.events.exclude(kind=Event.Kind.CREATED).values_list("kind", "data"))
    assert kinds == [
        ("status", {"old": "new", "new": "resolved"}),
        ("priority", {"old": 2, "new": 4}),
        ("assignee", {"old": "", "new": "hugo"}),
    ]
    assert all(e.actor == helpdesk for e in ticket.events.exclude(kind=Event.Kind.CREATED))
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "changed the status from New to Resolved" in html and "assigned it to hugo" in html
    client.post(f"/tickets/{ticket.pk}/update/", data)  # same values again: nothing recorded
    assert ticket.events.count() == 4
    client.post(f"/tickets/{ticket.pk}/update/", {**data, "status": "open"})
    ticket.refresh_from_db()
    assert ticket.resolved_at is None


def test_invalid_update_rerenders_with_messages(client, helpdesk, ticket):
    client.force_login(helpdesk)
    response = client.post(f"/tickets/{ticket.pk}/update/", {"status": "gone", "priority": "x", "assignee": "999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_assignee_must_be_a_helpdesk_user(client, helpdesk, admin, ticket):
    client.force_login(helpdesk)
    client.post(f"/tickets/{ticket.pk}/update/", {"status": "new", "priority": 2, "assignee": admin.pk})
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_link_with_note_then_unlink(client, helpdesk, ticket, articles):
    client.force_login(helpdesk)
    client.post(f"/tickets/{ticket.pk}/link/", {"article": "kb-0002", "note": "MX points around the gateway"})
    link = ticket.links.get()
    assert (link.kb_number, link.note) == ("KB-0002", "MX points around the gateway")
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "MX points around the gateway" in html and "Unlink KB-0002" in html
    client.post(f"/tickets/{ticket.pk}/link/", {"article": "2"})  # again: no duplicate
    assert ticket.links.count() == 1
    client.post(f"/tickets/{ticket.pk}/links/{link.pk}/unlink/")
    assert not ticket.links.exists()
    assert list(ticket.events.values_list("kind", flat=True)) == ["created", "linked", "unlinked"]


def test_linking_an_unknown_article_keeps_the_input(client, helpdesk, ticket, articles):
    client.force_login(helpdesk)
    html = client.post(f"/tickets/{ticket.pk}/link/", {"article": "KB-0404", "note": "typed note"}).content.decode()
    assert "No article KB-0404" in html and 'value="typed note"' in html
    assert not ticket.links.exists()


def test_deleting_an_article_keeps_the_ticket_and_the_link_text(client, helpdesk, ticket, articles):
    services.link_article(ticket, helpdesk, articles[2])
    articles[2].delete()
    link = ticket.links.get()
    assert link.article is None and link.kb_number == "KB-0002" and link.title == "The FortiMail unit is bypassed."
    client.force_login(helpdesk)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "(article deleted)" in html


def htmx_post(client, url, data):
    return client.post(url, data, headers={"HX-Request": "true"})


def oob_ids(html: str) -> set[str]:
    import re

    return set(re.findall(r'id="([^"]+)"[^>]*hx-swap-oob=', html))


def test_htmx_link_answers_only_the_changed_parts_and_a_confirmation(client, helpdesk, ticket, articles):
    client.force_login(helpdesk)
    response = htmx_post(client, f"/tickets/{ticket.pk}/link/", {"article": "KB-0006"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="ticket"' not in html
    assert oob_ids(html) == {"ticket-links", "link-form", "timeline", "ticket-runs", "ticket-status"}
    assert "Unlink KB-0006" in html and ">KB-0006 linked.</p>" in html

    again = htmx_post(client, f"/tickets/{ticket.pk}/link/", {"article": "6"}).content.decode()
    assert oob_ids(again) == {"ticket-status"} and "KB-0006 was linked already: nothing changed." in again
    assert ticket.links.count() == 1


def test_htmx_comment_and_update_swap_their_parts(client, helpdesk, ticket, articles):
    client.force_login(helpdesk)
    html = htmx_post(client, f"/tickets/{ticket.pk}/comment/", {"body": "Checked the logs."}).content.decode()
    assert oob_ids(html) == {"timeline", "comment-form", "ticket-status"} and "Reply added." in html
    assert "Checked the logs." in html and "Checked the logs.</textarea>" not in html  # the form comes back empty
    html = htmx_post(client, f"/tickets/{ticket.pk}/comment/", {"body": "See KB-0006."}).content.decode()
    assert oob_ids(html) == {"timeline", "comment-form", "ticket-links", "ticket-runs", "ticket-status"}
    assert "1 article linked from it." in html

    unchanged = {"status": ticket.status, "priority": ticket.priority, "assignee": ""}
    html = htmx_post(client, f"/tickets/{ticket.pk}/update/", unchanged).content.decode()
    assert oob_ids(html) == {"ticket-status"} and "Nothing changed" in html
    html = htmx_post(client, f"/tickets/{ticket.pk}/update/", {**unchanged, "status": "open"}).content.decode()
    assert oob_ids(html) == {"ticket-facts", "timeline", "update-form", "ticket-status"} and "Ticket updated." in html


def test_htmx_invalid_form_comes_back_alone_with_its_message(client, helpdesk, ticket, articles):
    client.force_login(helpdesk)
    html = htmx_post(client, f"/tickets/{ticket.pk}/link/", {"article": "KB-9999"}).content.decode()
    assert oob_ids(html) == {"link-form", "ticket-status"} and "No article KB-9999" in html
    assert "Not saved" in html and not ticket.links.exists()


def test_without_javascript_actions_redirect_to_the_changed_part(client, helpdesk, ticket, articles):
    client.force_login(helpdesk)
    response = client.post(f"/tickets/{ticket.pk}/link/", {"article": "KB-0006"})
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url() + "#links-heading"
    response = client.post(f"/tickets/{ticket.pk}/link/", {"article": "KB-0006"}, follow=True)
    assert "KB-0006 was linked already: nothing changed." in response.content.decode()
    response = client.post(f"/tickets/{ticket.pk}/comment/", {"body": "Hello"})
    event = ticket.events.get(kind=Event.Kind.REPLY)
    assert response["Location"] == ticket.get_absolute_url() + f"#event-{event.pk}"


def test_hostile_input_never_breaks_a_page(client, helpdesk, ticket, articles):
    client.force_login(helpdesk)
    huge = "9" * 25
    assert client.get(f"/tickets/{huge}/").status_code == 404
    assert client.post(f"/tickets/{ticket.pk}/links/{huge}/unlink/").status_code == 404
    for params in ({"q": "a\x00b"}, {"page": "-1"}, {"sort": "'; drop"}, {"domain": huge}, {"symptom": "1e9"}):
        assert client.get("/tickets/", params).status_code == 200, params
    assert client.get(ticket.get_absolute_url(), {"link_q": 'x\x00"(NEAR'}).status_code == 200
    response = client.post(f"/tickets/{ticket.pk}/comment/", {"body": "nul \x00 byte"})
    assert response.status_code == 200 and "Null characters are not allowed." in response.content.decode()
    response = client.post(f"/tickets/{ticket.pk}/link/", {"article": "KB-" + huge})
    assert response.status_code == 200 and "No article" in response.content.decode()
