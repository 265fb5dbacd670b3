"""The "linked in N tickets" block of the KB's article page, cached until a ticket or a link changes.

The block is the same for every helpdesk user who reads the article, and articles are read far more often than
tickets change, so it is rendered once and kept in Django's cache with the tickets' generation. `renew()` starts
a new generation whenever a ticket or an article link is saved or deleted (`tickets.signals`) and when a comment
moves a ticket's `updated_at` (`tickets.services.add_comment`). With the shared cache (REDIS_URL) every process
sees a change at once; with the per-process cache another process may show its copy for up to TIMEOUT seconds.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from kb.models import Article
from portal.generation import Generation
from tickets.models import Ticket

GENERATION = Generation("tickets:generation")
TIMEOUT = 60
SHOWN = 50


def renew() -> None:
    """A ticket or a link changed: no cached block is read again."""
    GENERATION.renew()


def render_block(article: Article) -> SafeString:
    """The block for `article`: the count and the most recently updated tickets (one query unless over SHOWN);
    nothing when no ticket links it."""
    linked = Ticket.objects.filter(links__article=article).order_by("-updated_at").distinct()
    linked = linked.only("title", "status", "updated_at")  # what the block shows, not the descriptions
    tickets = list(linked[: SHOWN + 1])
    count = len(tickets) if len(tickets) <= SHOWN else linked.count()
    if not count:
        return SafeString("")
    return render_to_string("tickets/_article_tickets.html", {"tickets": tickets[:SHOWN], "count": count})


def linked_tickets_block(article: Article) -> SafeString:
    return GENERATION.get_or_set(f"tickets:article-block:v2:{article.pk}", lambda: render_block(article), TIMEOUT)
