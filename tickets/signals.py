"""What follows a change to a ticket or to an article link: the cached linked-tickets blocks are dropped.
Joining or leaving a staff group (the KB editors) makes a user staff or ends it (`roles.sync_staff`)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from tickets import linked
from tickets.models import ArticleLink, Ticket
from tickets.roles import sync_staff

User = get_user_model()


@receiver(post_save, sender=Ticket)
@receiver(post_delete, sender=Ticket)
@receiver(post_save, sender=ArticleLink)
@receiver(post_delete, sender=ArticleLink)
def _ticket_or_link_changed(sender: type, **kwargs: object) -> None:
    linked.renew()


@receiver(m2m_changed, sender=User.groups.through)
def _membership_changed(
    sender: type, instance: object, action: str, reverse: bool, pk_set: set | None, **kwargs: object
) -> None:
    """user.groups.add/remove/clear (instance: a user) or group.user_set.add/remove/clear (instance: a group)."""
    if not reverse:
        if action in {"post_add", "post_remove", "post_clear"}:
            sync_staff([instance])
        return
    if not isinstance(instance, Group):
        return
    if action == "pre_clear":  # the members are gone after the clear: remember them
        instance.members_before_clear = list(instance.user_set.all())
    elif action in {"post_add", "post_remove"} and pk_set:
        sync_staff(User.objects.filter(pk__in=pk_set))
    elif action == "post_clear":
        sync_staff(getattr(instance, "members_before_clear", []))
