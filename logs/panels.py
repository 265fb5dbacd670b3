"""The logs app's blocks on other apps' pages (`portal.panels`): its navigation link and the ticket's analyses."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from logs.chart import bars


def navigation(request: HttpRequest, obj: object = None) -> str:
    if not request.user.is_authenticated:
        return ""
    return render_to_string("logs/_nav.html", request=request)


def ticket_analyses(request: HttpRequest, ticket: object) -> str:
    """On a ticket page (whoever sees the ticket sees its analyses): summary, chart and article links."""
    from logs.models import LogAnalysis

    analyses = list(LogAnalysis.objects.filter(ticket=ticket, status=LogAnalysis.Status.DONE)[:5])
    if not analyses:
        return ""
    items = []
    for analysis in analyses:
        problems = [{**p, "chart": bars(p.get("series", []))} for p in analysis.problems[:5]]
        items.append({"analysis": analysis, "problems": problems})
    return render_to_string("logs/_ticket_panel.html", {"items": items}, request=request)


def register() -> None:
    from portal import panels

    panels.register("portal.nav", navigation)
    panels.register("tickets.ticket", ticket_analyses)
