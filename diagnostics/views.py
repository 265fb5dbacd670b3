"""Diagnostics pages: start a run, watch its results arrive (htmx partial polling), history per domain."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from diagnostics import services
from diagnostics.checks.domain import InvalidTarget, normalize_domain
from diagnostics.forms import RunForm
from diagnostics.models import DiagnosticRun, ProtectedDomain
from diagnostics.presenters import run_context
from diagnostics.system_checks import configuration_problems
from portal.htmx import varies_on_htmx


def recent_runs(user: object, **filters: object) -> list[DiagnosticRun]:
    queryset = DiagnosticRun.objects.visible_to(user).filter(**filters)
    return list(queryset.select_related("requested_by", "protected_domain")[:25])


def require_run_permission(request: HttpRequest) -> None:
    if not request.user.has_perm("diagnostics.add_diagnosticrun"):
        raise PermissionDenied("You may not start diagnostic runs.")


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    DiagnosticRun.objects.expire_stale()
    status = 200
    if request.method == "POST":
        require_run_permission(request)
        form = RunForm(request.POST, user=request.user)
        if form.is_valid():
            if refused := services.over_run_limit(request):
                return refused
            run = services.start_run(
                form.target(),
                form.cleaned_data["checks"],
                user=request.user,
                protected_domain=form.cleaned_data["protected_domain"],
                remote=form.remote,
            )
            return redirect(run)
        status = 400
    else:
        initial = {"domain": request.GET["domain"]} if request.GET.get("domain") else None
        form = RunForm(initial=initial, user=request.user)
    context = {
        "form": form,
        "runs": recent_runs(request.user),
        "domains": ProtectedDomain.objects.for_user(request.user),
        "config_problems": configuration_problems(),
    }
    return render(request, "diagnostics/index.html", context, status=status)


@varies_on_htmx
@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    DiagnosticRun.objects.expire_stale()
    runs = DiagnosticRun.objects.visible_to(request.user).select_related("requested_by", "protected_domain")
    run = get_object_or_404(runs, pk=pk)
    template = "diagnostics/run.html#results" if request.htmx else "diagnostics/run.html"
    return render(request, template, run_context(run))


@login_required
@require_POST
def run_again(request: HttpRequest, pk: int) -> HttpResponse:
    require_run_permission(request)
    run = get_object_or_404(DiagnosticRun.objects.visible_to(request.user), pk=pk)
    if refused := services.over_run_limit(request):
        return refused
    return redirect(services.repeat_run(run, user=request.user))


@login_required
def history(request: HttpRequest, domain: str) -> HttpResponse:
    DiagnosticRun.objects.expire_stale()
    try:
        domain = normalize_domain(domain)
    except InvalidTarget as exc:
        return render(
            request, "diagnostics/history.html", {"domain": domain, "error": str(exc), "runs": []}, status=400
        )
    context = {
        "domain": domain,
        "runs": recent_runs(request.user, domain=domain),
        "record": ProtectedDomain.objects.for_user(request.user).filter(name=domain).first(),
    }
    return render(request, "diagnostics/history.html", context)
