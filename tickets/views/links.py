"""Link an article to a ticket from the article's page (its "next actions")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from kb.models import Article
from tickets import services
from tickets.access import require
from tickets.forms import LinkFromArticleForm
from tickets.models import Ticket
from tickets.roles import is_helpdesk


def tickets_to_link(user: AbstractBaseUser, article: Article) -> QuerySet[Ticket]:
    """The user's open tickets (assigned to them) that do not link `article` yet, most recently updated first."""
    return (
        Ticket.objects.filter(assignee=user)
        .exclude(status__in=Ticket.DONE)
        .exclude(links__article=article)
        .only("title", "status", "updated_at")
        .order_by("-updated_at", "-pk")
    )


@require_POST
@require(is_helpdesk)
def link_from_article(request: HttpRequest) -> HttpResponse:
    """Link the article to the chosen ticket and go to the ticket, at its links, with a confirmation."""
    tickets = Ticket.objects.filter(assignee=request.user).exclude(status__in=Ticket.DONE)
    form = LinkFromArticleForm(request.POST, tickets=tickets)
    if not form.is_valid():
        errors = "; ".join(error for errors in form.errors.values() for error in errors)
        return HttpResponse(f"Not linked: {errors}", status=400, content_type="text/plain")
    ticket, article = form.cleaned_data["ticket"], form.cleaned_data["article"]
    if services.link_article(ticket, request.user, article):
        messages.success(request, f"{article.kb_number} linked to {ticket.number}.")
    else:
        messages.info(request, f"{article.kb_number} was linked to {ticket.number} already: nothing changed.")
    return redirect(ticket.get_absolute_url() + "#links-heading")
