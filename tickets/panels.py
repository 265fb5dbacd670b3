"""The tickets app's blocks on other apps' pages, registered in `TicketsConfig.ready()` (`portal.panels`)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tickets.linked import linked_tickets_block
from tickets.roles import can_use_tickets, is_helpdesk


def navigation(request: HttpRequest, obj: object = None) -> str:
    """The Tickets, Report a problem and Metrics links, for whoever may use them."""
    if not request.user.is_authenticated:
        return ""
    return render_to_string("tickets/_nav.html", request=request)


def article_tickets(request: HttpRequest, article: object) -> str:
    """For helpdesk users: the tickets this article is linked to (cached, `tickets.linked`)."""
    return linked_tickets_block(article) if is_helpdesk(request.user) else ""


def link_article_to_ticket(request: HttpRequest, article: object) -> SafeString | str:
    """For the article page's next actions: link it to one of my open tickets, or open a new ticket with it (the
    helpdesk); report a problem (gateway admins)."""
    from tickets.views.links import tickets_to_link

    user = request.user
    if is_helpdesk(user):
        tickets = list(tickets_to_link(user, article)[:30])
        context = {"article": article, "tickets": tickets, "helpdesk": True}
    elif can_use_tickets(user):
        context = {"article": article, "helpdesk": False}
    else:
        return ""
    return render_to_string("tickets/_link_from_article.html", context, request=request)


def attach_to_ticket(request: HttpRequest, run: object) -> SafeString | str:
    """For the diagnostics run page: attach this run to one of the user's open tickets."""
    from tickets.runs import may_attach, open_tickets_for

    if not can_use_tickets(request.user) or not may_attach(request.user, run):
        return ""
    tickets = list(open_tickets_for(request.user, run)[:30])
    return render_to_string(
        "tickets/_attach_to_ticket.html", {"show": True, "run": run, "tickets": tickets}, request=request
    )


def register() -> None:
    from portal import panels

    panels.register("portal.nav", navigation)
    panels.register("kb.article.actions", link_article_to_ticket)
    panels.register("kb.article", article_tickets)
    panels.register("diagnostics.run", attach_to_ticket)
