"""Email to the requester on replies and status changes, and to the assignee on new comments.

Plain text and HTML, with a link back to the ticket (settings.PORTAL_URL). Each message is stored with the change
(`portal.mail.queue_mail`, same transaction) and sent by a background task once it commits: a slow or unreachable
mail relay never holds the request, and failed deliveries are retried and listed in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from portal.mail import queue_mail


def ticket_url(ticket) -> str:  # noqa: ANN001 - a Ticket (imported lazily: models import this module's users)
    return settings.PORTAL_URL.rstrip("/") + ticket.get_absolute_url()


def send(ticket, recipients: list, headline: str, body: str = "") -> None:  # noqa: ANN001
    """Queue one message per recipient (users without an address are skipped), sent after the commit."""
    addresses = sorted({user.email for user in recipients if user is not None and user.email})
    if not addresses:
        return
    context = {"ticket": ticket, "headline": headline, "body": body, "url": ticket_url(ticket)}
    subject = f"[{ticket.number}] {headline}"
    text = render_to_string("tickets/email/notification.txt", context)
    html = render_to_string("tickets/email/notification.html", context)
    for address in addresses:
        queue_mail(address, subject, text, html)


def comment_added(ticket, event) -> None:  # noqa: ANN001
    author = event.actor
    name = author.get_username() if author else "Someone"
    recipients = []
    if not event.is_internal and ticket.requester != author:
        recipients.append(ticket.requester)
    if ticket.assignee and ticket.assignee != author:
        recipients.append(ticket.assignee)
    kind = "an internal note" if event.is_internal else "a reply"
    send(ticket, recipients, f"{name} added {kind}: {ticket.title}", event.body)


def status_changed(ticket, actor, old_status: str) -> None:  # noqa: ANN001
    if ticket.requester == actor:
        return
    old = ticket.Status(old_status).label
    send(ticket, [ticket.requester], f"Status changed to {ticket.get_status_display()}: {ticket.title}", f"Was: {old}")
