"""What follows a change to a ticket or to an article link: the cached linked-tickets blocks are dropped.
Joining or leaving a staff group (the KB editors) makes a user staff or ends it (`roles.grant_staff`,
`roles.revoke_staff`)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from tickets import linked
from tickets.models import ArticleLink, Ticket
from tickets.roles import STAFF_GROUPS, grant_staff, revoke_staff

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
    """Joining or leaving a staff group, from either side: user.groups.add/remove/clear (instance: a user, pk_set:
    groups) or group.user_set.add/remove/clear (instance: a group, pk_set: users)."""
    if action == "pre_clear":  # after the clear nobody can tell who was in a staff group: note it now
        if reverse:
            instance.staff_members_before_clear = list(instance.user_set.all()) if instance.name in STAFF_GROUPS else []
        else:
            instance.staff_members_before_clear = (
                [instance] if instance.groups.filter(name__in=STAFF_GROUPS).exists() else []
            )
        return
    if action == "post_clear":
        revoke_staff(getattr(instance, "staff_members_before_clear", []))
        return
    if action not in {"post_add", "post_remove"} or not pk_set:
        return
    if reverse:
        if instance.name not in STAFF_GROUPS:
            return
        users = list(User.objects.filter(pk__in=pk_set))
    else:
        if not Group.objects.filter(pk__in=pk_set, name__in=STAFF_GROUPS).exists():
            return
        users = [instance]
    if action == "post_add":
        grant_staff(users)
    else:
        revoke_staff(users)
