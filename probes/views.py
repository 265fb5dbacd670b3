"""Probe pages: the list (helpdesk: all; gateway admins: their domains'), enrolment codes, revoking, download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from probes.build import probe_file
from probes.forms import EnrolForm
from probes.models import EnrolmentCode, Probe, administered_domains


def may_manage(user: object, probe: Probe) -> bool:
    return probe.domains.filter(pk__in=administered_domains(user)).exists()


@login_required
def probe_list(request: HttpRequest) -> HttpResponse:
    probes = list(Probe.objects.visible_to(request.user).prefetch_related("domains"))
    manageable = set(Probe.objects.filter(domains__in=administered_domains(request.user)).values_list("pk", flat=True))
    rows = [(probe, probe.pk in manageable) for probe in probes]
    context = {"rows": rows, "may_enrol": administered_domains(request.user).exists()}
    return render(request, "probes/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    if not administered_domains(request.user).exists():
        raise PermissionDenied("Only a domain's gateway administrators enrol its probes.")
    form = EnrolForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row, code = EnrolmentCode.issue(request.user, data["domain"], data["name"], data["site"])
        context = {"row": row, "code": code, "portal": request.build_absolute_uri("/")}
        return render(request, "probes/code.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "probes/enrol.html", {"form": form}, status=status)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    probe = get_object_or_404(Probe.objects.visible_to(request.user), pk=pk)
    if not may_manage(request.user, probe):
        raise PermissionDenied("Only the gateway administrators of its domain revoke a probe.")
    probe.revoke()
    messages.success(request, f"Probe {probe.name} is revoked: the portal refuses its requests from now on.")
    return redirect("probes:list")


@login_required
def download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(probe_file(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="mta-probe.pyz"'
    return response
