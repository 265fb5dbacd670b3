"""The ticket list's filters, text search and sorting, applied to the tickets a user may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from portal.numbers import parse_id
from tickets.forms import SORTS
from tickets.models import Event, Ticket


def text_search(tickets: QuerySet[Ticket], query: str, include_internal: bool) -> QuerySet[Ticket]:
    """Title, description, and comments (internal notes only for the helpdesk); every word must match."""
    kinds = Event.COMMENTS if include_internal else (Event.Kind.REPLY,)
    for word in query.split()[:10]:
        comments = Event.objects.filter(ticket=OuterRef("pk"), kind__in=kinds, body__icontains=word)
        tickets = tickets.filter(Q(title__icontains=word) | Q(description__icontains=word) | Exists(comments))
    return tickets


def filter_tickets(tickets: QuerySet[Ticket], data: dict, user, include_internal: bool) -> QuerySet[Ticket]:  # noqa: ANN001
    """`data` is a valid FilterForm's cleaned_data."""
    if data.get("q"):
        number = parse_id(data["q"].strip().upper().removeprefix("T-"))  # T-00042 or 42; `T-²` is only text
        by_number = tickets.filter(pk=number) if number is not None else tickets.none()
        tickets = text_search(tickets, data["q"], include_internal) | by_number
    if data.get("status"):
        tickets = tickets.filter(status=data["status"])
    if data.get("mine"):
        tickets = tickets.filter(assignee=user)
    elif data.get("assignee"):
        tickets = tickets.filter(assignee=data["assignee"])
    if data.get("domain"):
        tickets = tickets.filter(domain=data["domain"])
    if data.get("article"):
        tickets = tickets.filter(links__kb_number=data["article"].kb_number)
    if data.get("symptom"):
        tickets = tickets.filter(symptoms=data["symptom"])
    return tickets.order_by(*SORTS[data.get("sort") or "updated"][1])
