"""Who may see what: login and role on every view; gateway admins see only their own tickets."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from diagnostics.models import ProtectedDomain
from tickets.models import Ticket
from tickets.roles import can_use_tickets, is_helpdesk

View = Callable[..., HttpResponse]


def require(check: Callable) -> Callable[[View], View]:
    """Anonymous users go to the login page; logged-in users without the role get a 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def visible_tickets(user) -> QuerySet[Ticket]:  # noqa: ANN001 - the request's user
    if is_helpdesk(user):
        return Ticket.objects.all()
    if can_use_tickets(user):
        return Ticket.objects.filter(requester=user)
    return Ticket.objects.none()


def get_ticket(request: HttpRequest, pk: int) -> Ticket:
    """The ticket if this user may see it: 404 for the helpdesk when it does not exist, else 403."""
    ticket = visible_tickets(request.user).select_related("requester", "assignee", "domain").filter(pk=pk).first()
    if ticket is None:
        if is_helpdesk(request.user):
            raise Http404("No such ticket.")
        raise PermissionDenied
    return ticket


def helpdesk_users() -> QuerySet:
    return users_with("work_ticket")


def gateway_admin_users() -> QuerySet:
    """Who may file tickets (the requesters the helpdesk can open a ticket for)."""
    return users_with("submit_ticket")


def users_with(codename: str) -> QuerySet:
    permissions = Permission.objects.filter(codename=codename, content_type__app_label="tickets")
    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True) | Q(groups__permissions__in=permissions) | Q(user_permissions__in=permissions),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def domains_for(user) -> QuerySet[ProtectedDomain]:  # noqa: ANN001 - the request's user
    """The protected domains a user may report on and test (see ProtectedDomainQuerySet.for_user)."""
    return ProtectedDomain.objects.for_user(user)
