"""What follows a change to a ticket or to an article link: the cached linked-tickets blocks are dropped."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tickets import linked
from tickets.models import ArticleLink, Ticket


@receiver(post_save, sender=Ticket)
@receiver(post_delete, sender=Ticket)
@receiver(post_save, sender=ArticleLink)
@receiver(post_delete, sender=ArticleLink)
def _ticket_or_link_changed(sender: type, **kwargs: object) -> None:
    linked.renew()
