"""Every change to a ticket goes through here and leaves a timeline entry (who, when, what)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from kb.models import KB_NUMBER_RE, Article
from portal.numbers import INT_MAX, parse_id
from tickets import linked, notify
from tickets.models import ArticleLink, Event, Ticket
from tickets.roles import is_helpdesk


def record(ticket: Ticket, actor: AbstractBaseUser | None, kind: str, body: str = "", **data: object) -> Event:
    return Event.objects.create(ticket=ticket, actor=actor, kind=kind, body=body, data=data)


@transaction.atomic
def link_article(ticket: Ticket, actor: AbstractBaseUser, article: Article, note: str = "") -> ArticleLink | None:
    """Link `article` to the ticket; None when it is linked already (also when a concurrent request just did)."""
    link, created = ArticleLink.objects.get_or_create(
        ticket=ticket,
        kb_number=article.kb_number,
        defaults={"article": article, "title": article.title, "note": note, "linked_by": actor},
    )
    if not created:
        return None
    record(ticket, actor, Event.Kind.LINKED, note, kb_number=article.kb_number, title=article.title)
    return link


@transaction.atomic
def unlink_article(ticket: Ticket, actor: AbstractBaseUser, link: ArticleLink) -> None:
    record(ticket, actor, Event.Kind.UNLINKED, kb_number=link.kb_number, title=link.title)
    link.delete()


def articles_mentioned(text: str) -> list[Article]:
    numbers = sorted({n for n in (parse_id(m, maximum=INT_MAX) for m in KB_NUMBER_RE.findall(text)) if n})
    return list(Article.objects.filter(number__in=numbers).only("number", "title", "slug")) if numbers else []


@transaction.atomic
@transaction.atomic
def add_comment(ticket: Ticket, actor: AbstractBaseUser, body: str, internal: bool = False) -> Event:
    """A reply (the requester sees it) or an internal note; KB numbers typed by the helpdesk link their articles."""
    internal = internal and is_helpdesk(actor)
    event = record(ticket, actor, Event.Kind.NOTE if internal else Event.Kind.REPLY, body)
    if is_helpdesk(actor):
        for article in articles_mentioned(body):
            link_article(ticket, actor, article, note="Mentioned in a comment")
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    linked.renew()  # an UPDATE sends no signal; the ticket moves up in the article pages' linked-tickets blocks
    notify.comment_added(ticket, event)
    return event


@transaction.atomic
def update_ticket(ticket: Ticket, actor: AbstractBaseUser, **changes: object) -> list[Event]:
    """Change status, priority and/or assignee; one timeline entry per field that really changed."""
    events = []
    old_status = ticket.status
    if "status" in changes and changes["status"] != ticket.status:
        ticket.status = changes["status"]
        if ticket.status in Ticket.DONE and ticket.resolved_at is None:
            ticket.resolved_at = timezone.now()
        elif ticket.status not in Ticket.DONE:
            ticket.resolved_at = None
        events.append(record(ticket, actor, Event.Kind.STATUS, old=old_status, new=ticket.status))
    if "priority" in changes and changes["priority"] != ticket.priority:
        events.append(record(ticket, actor, Event.Kind.PRIORITY, old=ticket.priority, new=changes["priority"]))
        ticket.priority = changes["priority"]
    if "assignee" in changes and changes["assignee"] != ticket.assignee:
        old, new = ticket.assignee, changes["assignee"]
        ticket.assignee = new
        events.append(
            record(
                ticket,
                actor,
                Event.Kind.ASSIGNEE,
                old=old.get_username() if old else "",
                new=new.get_username() if new else "",
            )
        )
    if events:
        ticket.save()
        if ticket.status != old_status:
            notify.status_changed(ticket, actor, old_status)
    return events


@transaction.atomic
def create_ticket(
    requester: AbstractBaseUser,
    *,
    title: str,
    description: str = "",
    evidence: str = "",
    symptoms: Iterable = (),
    articles: Iterable[Article] = (),
    opened_by: AbstractBaseUser | None = None,
    **fields: object,
) -> Ticket:
    """A ticket for `requester`; `opened_by` is the helpdesk member who opened it on their behalf (a caller)."""
    ticket = Ticket.objects.create(
        requester=requester, title=title, description=description, evidence=evidence, **fields
    )
    ticket.symptoms.set(symptoms)
    if opened_by is not None and opened_by != requester:
        record(ticket, opened_by, Event.Kind.CREATED, on_behalf_of=requester.get_username())
    else:
        record(ticket, requester, Event.Kind.CREATED)
    for article in articles:
        link_article(ticket, requester, article, note="Suggested by the symptom form")
    return ticket
