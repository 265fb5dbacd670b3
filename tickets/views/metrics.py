"""The helpdesk's metrics page: each number drawn as a server-rendered SVG chart with the numbers beside it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tickets import metrics
from tickets.access import require
from tickets.roles import is_helpdesk


def can_see_metrics(user: object) -> bool:
    return is_helpdesk(user) and user.has_perm("tickets.view_metrics")


@require(can_see_metrics)
def metrics_page(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/metrics.html", metrics.summary())
