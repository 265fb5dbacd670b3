"""Diagnostics from a ticket: run the suggested checks on its domain, or attach an existing run."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_POST

from diagnostics.models import DiagnosticRun
from diagnostics.services import over_run_limit
from portal.numbers import parse_id
from tickets import runs
from tickets.access import domains_for, get_ticket, require
from tickets.forms import AttachForm, RunForm
from tickets.roles import can_use_tickets, is_helpdesk
from tickets.views.actions import bind, done, invalid_form


@require_POST
@require(can_use_tickets)
def run_diagnostics(request: HttpRequest, pk: int) -> HttpResponse:
    ticket, form, invalid = bind(request, pk, RunForm, "run_form")
    if invalid:
        return invalid
    if ticket.domain is None:
        form.add_error(None, "This ticket has no protected domain to test.")
        return invalid_form(request, ticket, "run_form", form)
    if not is_helpdesk(request.user) and not domains_for(request.user).filter(pk=ticket.domain_id).exists():
        form.add_error(None, f"You are no longer an administrator of {ticket.domain}; ask the helpdesk to test it.")
        return invalid_form(request, ticket, "run_form", form)
    if not domains_for(ticket.requester).filter(pk=ticket.domain_id).exists():
        form.add_error(
            None,
            f"{ticket.requester} no longer administers {ticket.domain}, so a run attached here would be hidden from "
            "them: test the domain from the diagnostics page instead.",
        )
        return invalid_form(request, ticket, "run_form", form)
    if refused := over_run_limit(request):
        return refused
    run = runs.start_for_ticket(ticket, request.user, form.cleaned_data["checks"])
    if run is None:
        form.add_error(None, "None of these checks can run on this domain (no gateway or SMTP server configured).")
        return invalid_form(request, ticket, "run_form", form)
    labels = ", ".join(runs.check_label(name) for name in run.checks)
    return done(
        request, ticket, f"Diagnostics started on {ticket.domain}: {labels}.", ["runs", "timeline"], "ticket-runs"
    )


@require_POST
@require(can_use_tickets)
def attach_run(request: HttpRequest, pk: int) -> HttpResponse:
    attachable = runs.attachable_runs(get_ticket(request, pk), request.user)
    ticket, form, invalid = bind(request, pk, AttachForm, "attach_form", runs=attachable)
    if invalid:
        return invalid
    run = form.cleaned_data["run"]
    attached = runs.attach(ticket, request.user, run)
    if not attached:
        return done(request, ticket, f"Run #{run.pk} was attached already: nothing changed.", [], "ticket-runs")
    return done(request, ticket, f"Run #{run.pk} attached.", ["runs", "timeline"], "ticket-runs")


@require_POST
@require(can_use_tickets)
def attach_from_run(request: HttpRequest) -> HttpResponse:
    """ "Attach to ticket" on a diagnostics run's page: POST run=<id>, ticket=<id>."""
    run_id, ticket_id = parse_id(request.POST.get("run")), parse_id(request.POST.get("ticket"))
    if run_id is None or ticket_id is None:
        return HttpResponseBadRequest("run and ticket are ids (digits 0-9).", content_type="text/plain")
    run = DiagnosticRun.objects.filter(pk=run_id).first()
    if run is None or not runs.may_attach(request.user, run):
        raise PermissionDenied
    ticket = get_ticket(request, ticket_id)
    attached = runs.attach(ticket, request.user, run)
    if not attached:
        return done(request, ticket, f"Run #{run.pk} was attached already: nothing changed.", [], "ticket-runs")
    return done(request, ticket, f"Run #{run.pk} attached.", ["runs", "timeline"], "ticket-runs")
