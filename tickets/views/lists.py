"""The ticket list: filters, text search, sorting, pagination; "my tickets" for gateway admins."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.htmx import varies_on_htmx
from tickets.access import require, visible_tickets
from tickets.forms import FilterForm
from tickets.queries import filter_tickets
from tickets.roles import can_use_tickets, is_helpdesk

PAGE_SIZE = 20


@varies_on_htmx
@require(can_use_tickets)
def ticket_list(request: HttpRequest) -> HttpResponse:
    helpdesk = is_helpdesk(request.user)
    form = FilterForm(request.GET or None, helpdesk=helpdesk)
    tickets = visible_tickets(request.user).select_related("requester", "assignee", "domain")
    data = {}
    if form.is_bound:
        form.is_valid()  # invalid filters are shown with their message and ignored
        data = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
    tickets = filter_tickets(tickets, data, request.user, include_internal=helpdesk)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "helpdesk": helpdesk, "query": query.urlencode()}
    template = "tickets/list.html#results" if request.htmx else "tickets/list.html"
    return render(request, template, context)
