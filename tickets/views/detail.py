"""One ticket: its timeline, linked articles, attached diagnostics; the search-and-link widget."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.htmx import varies_on_htmx
from tickets import runs
from tickets.access import get_ticket, require
from tickets.forms import CommentForm, LinkForm, UpdateForm
from tickets.models import Event, Ticket
from tickets.roles import can_use_tickets, is_helpdesk
from tickets.suggest import suggestions


def detail_context(request: HttpRequest, ticket: Ticket, **forms: object) -> dict:
    helpdesk = is_helpdesk(request.user)
    events = ticket.events.select_related("actor")
    if not helpdesk:
        events = events.exclude(kind=Event.Kind.NOTE)
    link_query = request.GET.get("link_q", "").strip()[:200]
    context = {
        "ticket": ticket,
        "helpdesk": helpdesk,
        "events": events,
        "symptoms": ticket.symptoms.all(),
        "links": ticket.links.select_related("article", "linked_by"),
        "comment_form": CommentForm(),
        "update_form": UpdateForm(
            initial={"status": ticket.status, "priority": ticket.priority, "assignee": ticket.assignee_id}
        ),
        "link_form": LinkForm(),
        "link_query": link_query,
        **runs.ticket_runs_context(ticket, request.user),
    }
    if helpdesk and link_query:
        context["link_results"] = suggestions(link_query)
    context.update(forms)
    return context


def render_detail(request: HttpRequest, ticket: Ticket, status: int = 200, **forms: object) -> HttpResponse:
    template = "tickets/detail.html#ticket" if request.htmx else "tickets/detail.html"
    return render(request, template, detail_context(request, ticket, **forms), status=status)


@varies_on_htmx
@require(can_use_tickets)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket(request, pk)
    if request.htmx and request.GET.get("part") == "link-results":
        return render(request, "tickets/detail.html#link-results", detail_context(request, ticket))
    return render_detail(request, ticket)


@varies_on_htmx
@require(can_use_tickets)
def live_runs(request: HttpRequest, pk: int) -> HttpResponse:
    """The attached runs' partial, polled by htmx while a run is still going."""
    ticket = get_ticket(request, pk)
    context = {"ticket": ticket, "helpdesk": is_helpdesk(request.user)}
    context.update(runs.ticket_runs_context(ticket, request.user))
    return render(request, "tickets/_run_list.html", context)
