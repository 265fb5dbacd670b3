"""Email to the requester on replies and status changes, and to the assignee on new comments.

Plain text and HTML, with a link back to the ticket; sent once the transaction commits, through
Django's mail framework (the MAILERS setting picks the backend). The link uses settings.PORTAL_URL.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def ticket_url(ticket) -> str:  # noqa: ANN001 - a Ticket (imported lazily: models import this module's users)
    return settings.PORTAL_URL.rstrip("/") + ticket.get_absolute_url()


def send(ticket, recipients: list, headline: str, body: str = "") -> None:  # noqa: ANN001
    """Queue one message per recipient (users without an address are skipped) for after the commit."""
    addresses = sorted({user.email for user in recipients if user is not None and user.email})
    if not addresses:
        return
    context = {"ticket": ticket, "headline": headline, "body": body, "url": ticket_url(ticket)}
    subject = f"[{ticket.number}] {headline}"
    text = render_to_string("tickets/email/notification.txt", context)
    html = render_to_string("tickets/email/notification.html", context)

    def deliver() -> None:
        for address in addresses:
            message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
            message.attach_alternative(html, "text/html")
            try:
                message.send()
            except Exception:  # the change is saved already: a mail relay outage must not turn it into a 500
                logger.exception("Could not send the notification for %s to %s", ticket.number, address)

    transaction.on_commit(deliver)


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
