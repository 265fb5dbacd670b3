"""What can be done on a ticket (POST only, CSRF-checked): comment, update, link and unlink articles.

With htmx each action answers with only the parts of the ticket page it changed (`tickets/_changes.html`, swapped
out of band) and a confirmation for the page's live region; without JavaScript it redirects back to the ticket
page (at the part that changed) with the same confirmation as a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tickets import services
from tickets.access import get_ticket, require
from tickets.forms import CommentForm, LinkForm, UpdateForm
from tickets.models import Ticket
from tickets.roles import can_use_tickets, is_helpdesk
from tickets.views.detail import detail_context, render_detail

# The form's name in the page context -> its partial and the part of the page to return to without JavaScript.
FORM_PARTS = {
    "comment_form": "comment-form",
    "update_form": "update-form",
    "link_form": "link-form",
    "run_form": "runs",
    "attach_form": "runs",
}


def changes(request: HttpRequest, ticket: Ticket, parts: list[str], message: str, **forms: object) -> HttpResponse:
    """The htmx answer: the changed parts of the ticket page, swapped out of band, and the confirmation."""
    context = detail_context(request, ticket, **forms)
    context.update(parts=parts, status_message=message)
    return render(request, "tickets/_changes.html", context)


def invalid_form(request: HttpRequest, ticket: Ticket, name: str, form: object, message: str = "") -> HttpResponse:
    """The form again with its messages: as a part for htmx (the rest of the page stays), else the whole page."""
    if request.htmx:
        return changes(
            request, ticket, [FORM_PARTS[name]], message or "Not saved: see the message by the form.", **{name: form}
        )
    return render_detail(request, ticket, **{name: form})


def bind(request: HttpRequest, pk: int, form_class: type, name: str, **kwargs: object) -> tuple:
    """The ticket, the bound form, and the form's messages answered if it is invalid (else None)."""
    ticket = get_ticket(request, pk)
    form = form_class(request.POST, **kwargs)
    invalid = None if form.is_valid() else invalid_form(request, ticket, name, form)
    return ticket, form, invalid


def done(request: HttpRequest, ticket: Ticket, message: str, parts: list[str], anchor: str = "") -> HttpResponse:
    """After a change: the changed parts for htmx, else a redirect to the ticket page (at `anchor`)."""
    if request.htmx:
        return changes(request, ticket, parts, message)
    messages.success(request, message)
    return redirect(ticket.get_absolute_url() + (f"#{anchor}" if anchor else ""))


@require_POST
@require(can_use_tickets)
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    ticket, form, invalid = bind(request, pk, CommentForm, "comment_form")
    if invalid:
        return invalid
    links_before = ticket.links.count()
    event = services.add_comment(ticket, request.user, form.cleaned_data["body"], form.cleaned_data["internal"])
    parts = ["timeline", "comment-form"]
    message = f"{event.get_kind_display()} added."
    linked = ticket.links.count() - links_before
    if linked:
        parts += ["links", "runs"]
        message += f" {linked} article{'s' if linked > 1 else ''} linked from it."
    return done(request, ticket, message, parts, anchor=f"event-{event.pk}")


@require_POST
@require(is_helpdesk)
def update(request: HttpRequest, pk: int) -> HttpResponse:
    ticket, form, invalid = bind(request, pk, UpdateForm, "update_form")
    if invalid:
        return invalid
    events = services.update_ticket(ticket, request.user, **form.cleaned_data)
    if not events:
        return done(
            request,
            ticket,
            "Nothing changed: the status, priority and assignee are as they were.",
            [],
            "update-heading",
        )
    return done(request, ticket, "Ticket updated.", ["facts", "timeline", "update-form"], anchor="update-heading")


@require_POST
@require(is_helpdesk)
def link(request: HttpRequest, pk: int) -> HttpResponse:
    ticket, form, invalid = bind(request, pk, LinkForm, "link_form")
    if invalid:
        return invalid
    article = form.cleaned_data["article"]
    created = services.link_article(ticket, request.user, article, form.cleaned_data["note"])
    if not created:
        return done(request, ticket, f"{article.kb_number} was linked already: nothing changed.", [], "links-heading")
    parts = ["links", "link-form", "timeline", "runs"]
    return done(request, ticket, f"{article.kb_number} linked.", parts, anchor="links-heading")


@require_POST
@require(is_helpdesk)
def unlink(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    ticket = get_ticket(request, pk)
    link = get_object_or_404(ticket.links, pk=link_pk)
    services.unlink_article(ticket, request.user, link)
    return done(request, ticket, f"{link.kb_number} unlinked.", ["links", "timeline", "runs"], anchor="links-heading")
