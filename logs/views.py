"""Log analysis pages: upload or paste, watch the progress (htmx partial polling), read the result, attach it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from logs import services
from logs.chart import bars
from logs.forms import AnalysisForm, AttachForm
from logs.models import LogAnalysis
from logs.storage import UploadTooLarge
from portal.htmx import varies_on_htmx
from portal.numbers import parse_id


@login_required
def index(request: HttpRequest) -> HttpResponse:
    form = AnalysisForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    analysis = services.start_analysis(
                        request.user,
                        form.cleaned_data["files"],
                        form.cleaned_data["text"],
                        mask=form.cleaned_data["mask"],
                    )
            except UploadTooLarge as exc:
                form.add_error("files", str(exc))
                status = 413
            else:
                return redirect(analysis)
        else:
            status = 400
    recent = LogAnalysis.objects.visible_to(request.user).filter(owner=request.user)[:20]
    return render(request, "logs/index.html", {"form": form, "recent": recent}, status=status)


def _visible(request: HttpRequest, pk: int) -> LogAnalysis:
    return get_object_or_404(LogAnalysis.objects.visible_to(request.user).select_related("ticket"), pk=pk)


def _context(request: HttpRequest, analysis: LogAnalysis) -> dict:
    problems = [
        {
            **problem,
            "chart": bars(problem.get("series", [])),
            "tops": [
                ("Senders", problem.get("senders", [])),
                ("Recipients", problem.get("recipients", [])),
                ("Client IPs", problem.get("clients", [])),
                ("Domains", problem.get("domains", [])),
            ],
        }
        for problem in analysis.problems
    ]
    context = {"analysis": analysis, "problems": problems}
    if analysis.status == LogAnalysis.Status.DONE:
        context["tickets"] = _attachable_tickets(request)
    return context


def _attachable_tickets(request: HttpRequest) -> list:
    from tickets.access import visible_tickets
    from tickets.models import Ticket

    return list(visible_tickets(request.user).exclude(status__in=Ticket.DONE).order_by("-pk")[:30])


@varies_on_htmx
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = _visible(request, pk)
    if request.htmx:
        response = render(request, "logs/detail.html#progress", _context(request, analysis))
        if analysis.finished:
            response["HX-Refresh"] = "true"  # the whole page, with the result, replaces the progress bar
        return response
    return render(request, "logs/detail.html", _context(request, analysis))


@login_required
def session(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = _visible(request, pk)
    session_id = request.GET.get("id", "")[:200]
    lines = analysis.details.get("sessions", {}).get(session_id)
    if lines is None:
        return render(request, "logs/session.html", {"analysis": analysis, "session_id": session_id}, status=404)
    return render(request, "logs/session.html", {"analysis": analysis, "session_id": session_id, "lines": lines})


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    from tickets.access import visible_tickets

    analysis = _visible(request, pk)
    form = AttachForm(request.POST)
    number = parse_id(form.data.get("ticket", "").strip().upper().removeprefix("T-")) if form.is_valid() else None
    ticket = visible_tickets(request.user).filter(pk=number).first() if number else None
    if ticket is None:
        messages.error(request, "Choose one of your tickets.")
        return redirect(analysis)
    services.attach(analysis, ticket)
    messages.success(request, f"Attached to {ticket.number}.")
    return redirect(ticket)
