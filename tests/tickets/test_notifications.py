"""Email to the requester on replies and status changes, to the assignee on new comments (text + HTML, link back)."""

import copy
import time

import pytest

import portal.settings as shipped
from portal.models import OutgoingMail
from tickets import services

pytestmark = pytest.mark.django_db


def test_the_test_mailer_collects_mail_with_MAILERS(
    settings, mailoutbox, helpdesk, ticket, django_capture_on_commit_callbacks
):
    assert "default" in settings.MAILERS
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(ticket, helpdesk, "Please check your MX records.")
    assert len(mailoutbox) == 1


def test_reply_emails_the_requester_with_text_html_and_a_link(
    mailoutbox, helpdesk, ticket, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_URL = "https://portal.example.net"
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(ticket, helpdesk, "Please check your <MX> records.")
    message = mailoutbox[0]
    url = f"https://portal.example.net/tickets/{ticket.pk}/"
    assert message.to == ["gary@example.com"]
    assert message.subject == f"[{ticket.number}] hanna added a reply: Mail bounces"
    assert "Please check your <MX> records." in message.body and url in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Please check your &lt;MX&gt; records." in html and f'href="{url}"' in html


def test_internal_note_emails_only_the_assignee(
    mailoutbox, helpdesk, helpdesk2, ticket, django_capture_on_commit_callbacks
):
    services.update_ticket(ticket, helpdesk, assignee=helpdesk2)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(ticket, helpdesk, "Between us: their MX is wrong", internal=True)
    assert [m.to for m in mailoutbox] == [["hugo@example.com"]]
    assert "internal note" in mailoutbox[0].subject


def test_requester_comment_emails_the_assignee_not_the_requester(
    mailoutbox, admin, helpdesk, ticket, django_capture_on_commit_callbacks
):
    services.update_ticket(ticket, helpdesk, assignee=helpdesk)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(ticket, admin, "Any news?")
    assert [m.to for m in mailoutbox] == [["hanna@example.com"]]


def test_status_change_emails_the_requester(mailoutbox, helpdesk, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_ticket(ticket, helpdesk, status="waiting")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith(f"[{ticket.number}] Status changed to Waiting on customer")
    assert "Was: New" in mailoutbox[0].body


def test_no_mail_before_commit_or_for_priority_changes(
    mailoutbox, helpdesk, ticket, django_capture_on_commit_callbacks
):
    services.add_comment(ticket, helpdesk, "not committed")
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.update_ticket(ticket, helpdesk, priority=4)
    assert mailoutbox == []


def test_comment_through_the_page_sends_mail(client, mailoutbox, helpdesk, ticket, django_capture_on_commit_callbacks):
    client.force_login(helpdesk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/tickets/{ticket.pk}/comment/", {"body": "Fixed on our side."})
    assert [m.to for m in mailoutbox] == [["gary@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_a_stalled_mail_relay_does_not_hold_the_comment(client, settings, silent_server, helpdesk, ticket):
    """The shipped task backend and SMTP mailer (only its address changed): a relay that accepts the connection and
    never answers. The reply is saved and the page answers at once; the message waits in the queue."""
    settings.TASKS = copy.deepcopy(shipped.TASKS)  # tests run tasks immediately; production queues them
    settings.MAILERS = copy.deepcopy(shipped.MAILERS)
    settings.MAILERS["default"]["OPTIONS"].update(host="127.0.0.1", port=silent_server)
    client.force_login(helpdesk)
    started = time.monotonic()
    response = client.post(f"/tickets/{ticket.pk}/comment/", {"body": "Your relay is back?"})
    assert response.status_code == 302
    assert time.monotonic() - started < settings.MAILERS["default"]["OPTIONS"]["timeout"] / 2
    assert ticket.events.filter(body="Your relay is back?").exists()
    assert list(OutgoingMail.objects.values_list("to", "status")) == [("gary@example.com", "queued")]
