"""The helpdesk opens a ticket on behalf of a caller (a gateway admin who phoned or wrote)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kb.models import Article, parse_kb_number
from portal.numbers import parse_id
from tickets import services
from tickets.access import require
from tickets.forms import OnBehalfForm
from tickets.roles import is_helpdesk


def article_initial(kb_number: str) -> dict:
    """`?article=KB-0006` (from the article's "open a new ticket with it"): the ticket starts from that article."""
    number = parse_kb_number(kb_number[:20])
    article = Article.objects.only("number", "title").filter(number=number).first() if number is not None else None
    return {"article": article.kb_number, "title": article.title[:200]} if article else {}


@require(is_helpdesk)
def new_ticket(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        requester = parse_id(request.GET.get("requester"))
        initial = {"requester": requester} if requester is not None else {}
        initial.update(article_initial(request.GET.get("article", "")))
        return render(request, "tickets/new.html", {"form": OnBehalfForm(initial=initial)})
    form = OnBehalfForm(request.POST)
    if not form.is_valid():
        return render(request, "tickets/new.html", {"form": form}, status=400)
    data = form.cleaned_data
    ticket = services.create_ticket(
        data["requester"],
        title=data["title"],
        description=data["description"],
        evidence=data["evidence"],
        domain=data["domain"],
        opened_by=request.user,
        articles=[data["article"]] if data["article"] else [],
    )
    messages.success(request, f"{ticket.number} opened for {data['requester'].get_username()}.")
    return redirect(ticket)
