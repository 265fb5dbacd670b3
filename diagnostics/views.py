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


def may_run(user: object) -> bool:
    return user.has_perm("diagnostics.add_diagnosticrun")


def require_run_permission(request: HttpRequest) -> None:
    if not may_run(request.user):
        raise PermissionDenied("You may not start diagnostic runs.")


def initial_for(request: HttpRequest) -> dict | None:
    """`?domain=` preselects that protected domain (or fills the typed domain for those who may type one)."""
    typed = request.GET.get("domain", "").strip()
    if not typed:
        return None
    try:
        name = normalize_domain(typed)
    except InvalidTarget:
        return {"domain": typed}  # shown as typed; submitting it says what is wrong
    record = ProtectedDomain.objects.for_user(request.user).filter(name=name).first()
    return {"protected_domain": record.pk} if record else {"domain": typed}


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
        form = RunForm(initial=initial_for(request), user=request.user)
    domains = list(ProtectedDomain.objects.for_user(request.user))
    context = {
        "form": form,
        # Only what the user may do: no form without the permission, nor without a domain to test.
        "may_run": may_run(request.user) and (form.may_type or bool(domains)),
        "runs": recent_runs(request.user),
        "domains": domains,
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
    return render(request, template, {**run_context(run), "may_run": may_run(request.user)})


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
        "may_run": may_run(request.user),
    }
    return render(request, "diagnostics/history.html", context)
