"""Diagnostics from a ticket: run the suggested checks on its domain, or attach an existing run."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from diagnostics.models import DiagnosticRun
from diagnostics.services import over_run_limit
from tickets import runs
from tickets.access import domains_for, get_ticket, require
from tickets.forms import AttachForm, RunForm
from tickets.roles import can_use_tickets, is_helpdesk
from tickets.views.actions import bind, done
from tickets.views.detail import render_detail


@require_POST
@require(can_use_tickets)
def run_diagnostics(request: HttpRequest, pk: int) -> HttpResponse:
    ticket, form, invalid = bind(request, pk, RunForm, "run_form")
    if invalid:
        return invalid
    if ticket.domain is None:
        form.add_error(None, "This ticket has no protected domain to test.")
        return render_detail(request, ticket, run_form=form)
    if not is_helpdesk(request.user) and not domains_for(request.user).filter(pk=ticket.domain_id).exists():
        form.add_error(None, f"You are no longer an administrator of {ticket.domain}; ask the helpdesk to test it.")
        return render_detail(request, ticket, run_form=form)
    if not domains_for(ticket.requester).filter(pk=ticket.domain_id).exists():
        form.add_error(
            None,
            f"{ticket.requester} no longer administers {ticket.domain}, so a run attached here would be hidden from "
            "them: test the domain from the diagnostics page instead.",
        )
        return render_detail(request, ticket, run_form=form)
    if refused := over_run_limit(request):
        return refused
    run = runs.start_for_ticket(ticket, request.user, form.cleaned_data["checks"])
    if run is None:
        form.add_error(None, "None of these checks can run on this domain (no gateway or SMTP server configured).")
        return render_detail(request, ticket, run_form=form)
    return done(request, ticket, f"Diagnostics started on {ticket.domain}: {', '.join(run.checks)}.")


@require_POST
@require(can_use_tickets)
def attach_run(request: HttpRequest, pk: int) -> HttpResponse:
    attachable = runs.attachable_runs(get_ticket(request, pk), request.user)
    ticket, form, invalid = bind(request, pk, AttachForm, "attach_form", runs=attachable)
    if invalid:
        return invalid
    runs.attach(ticket, request.user, form.cleaned_data["run"])
    return done(request, ticket, "Diagnostic run attached.")


@require_POST
@require(can_use_tickets)
def attach_from_run(request: HttpRequest) -> HttpResponse:
    """ "Attach to ticket" on a diagnostics run's page: POST run=<id>, ticket=<id>."""
    run = DiagnosticRun.objects.filter(pk=_int(request.POST.get("run"))).first()
    if run is None or not runs.may_attach(request.user, run):
        raise PermissionDenied
    ticket = get_ticket(request, _int(request.POST.get("ticket")))
    attached = runs.attach(ticket, request.user, run)
    return done(request, ticket, f"Run #{run.pk} attached." if attached else f"Run #{run.pk} was attached already.")


def _int(value: object) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 19 else 0
