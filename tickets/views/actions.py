"""What can be done on a ticket (POST only, CSRF-checked): comment, update, link and unlink articles."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from tickets import services
from tickets.access import get_ticket, require
from tickets.forms import CommentForm, LinkForm, UpdateForm
from tickets.roles import can_use_tickets, is_helpdesk
from tickets.views.detail import render_detail


def bind(request: HttpRequest, pk: int, form_class: type, name: str, **kwargs: object) -> tuple:
    """The ticket, the bound form, and the page re-rendered with the form's messages if it is invalid (else None)."""
    ticket = get_ticket(request, pk)
    form = form_class(request.POST, **kwargs)
    invalid = None if form.is_valid() else render_detail(request, ticket, **{name: form})
    return ticket, form, invalid


def done(request: HttpRequest, ticket: object, message: str) -> HttpResponse:
    """After a change: the refreshed ticket partial for htmx, else a redirect to the ticket page."""
    if request.htmx:
        return render_detail(request, ticket)
    messages.success(request, message)
    return redirect(ticket)


@require_POST
@require(can_use_tickets)
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    ticket, form, invalid = bind(request, pk, CommentForm, "comment_form")
    if invalid:
        return invalid
    event = services.add_comment(ticket, request.user, form.cleaned_data["body"], form.cleaned_data["internal"])
    return done(request, ticket, f"{event.get_kind_display()} added.")


@require_POST
@require(is_helpdesk)
def update(request: HttpRequest, pk: int) -> HttpResponse:
    ticket, form, invalid = bind(request, pk, UpdateForm, "update_form")
    if invalid:
        return invalid
    events = services.update_ticket(ticket, request.user, **form.cleaned_data)
    return done(request, ticket, "Ticket updated." if events else "Nothing changed.")


@require_POST
@require(is_helpdesk)
def link(request: HttpRequest, pk: int) -> HttpResponse:
    ticket, form, invalid = bind(request, pk, LinkForm, "link_form")
    if invalid:
        return invalid
    article = form.cleaned_data["article"]
    created = services.link_article(ticket, request.user, article, form.cleaned_data["note"])
    message = f"{article.kb_number} linked." if created else f"{article.kb_number} was linked already."
    return done(request, ticket, message)


@require_POST
@require(is_helpdesk)
def unlink(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    ticket = get_ticket(request, pk)
    link = get_object_or_404(ticket.links, pk=link_pk)
    services.unlink_article(ticket, request.user, link)
    return done(request, ticket, f"{link.kb_number} unlinked.")
