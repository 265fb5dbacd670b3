"""/report/: the symptom form with live suggestions, "yes, solved" (a deflection), and submit."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kb.models import Symptom
from portal.htmx import varies_on_htmx
from portal.numbers import parse_id
from tickets.access import require
from tickets.forms import ArticleField
from tickets.models import Deflection
from tickets.report import ReportForm, submit, suggest_for, typed
from tickets.roles import is_gateway_admin


def suggestion_context(form: ReportForm) -> dict:
    found = suggest_for(typed(form))
    facets = [(pk, found.facets.get(pk, 0)) for pk in Symptom.objects.values_list("pk", flat=True)]
    return {
        "form": form,
        "found": found,
        "facets": facets,
        "groups": form.symptom_groups(facets),
        "selected": typed(form)["symptom"],
    }


def render_form(request: HttpRequest, form: ReportForm, status: int = 200) -> HttpResponse:
    context = {**suggestion_context(form), "log_upload": apps.is_installed("logs")}
    return render(request, "tickets/report.html", context, status=status)


@require(is_gateway_admin)
def report(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render_form(request, ReportForm(user=request.user))
    form = ReportForm(request.POST, user=request.user)
    if request.POST.get("action") == "preview" or not form.is_valid():
        return render_form(request, form)
    ticket = submit(form, request.user)
    messages.success(request, f"{ticket.number} created. The helpdesk has been told; suggested checks are running.")
    if apps.is_installed("logs") and request.FILES.getlist("log_file"):  # the log analysis app, when installed
        from logs.services import analyse_for_ticket

        messages.info(request, analyse_for_ticket(request.user, request.FILES.getlist("log_file"), ticket))
    return redirect(ticket)


@varies_on_htmx
@require_http_methods(["GET", "POST"])
@require(is_gateway_admin)
def suggestions(request: HttpRequest) -> HttpResponse:
    """The suggestions beside the form, for htmx: POSTed while typing (pasted logs are long), or GET."""
    form = ReportForm(request.POST if request.method == "POST" else request.GET, user=request.user)
    return render(request, "tickets/report.html#htmx-response", suggestion_context(form))


@require_POST
@require(is_gateway_admin)
def solved(request: HttpRequest) -> HttpResponse:
    """ "Yes, solved": count a deflected ticket and go to the article."""
    try:
        article = ArticleField().clean(request.POST.get("article", ""))
    except ValidationError:
        article = None
    if article is None:
        return HttpResponse("Unknown article.", status=400, content_type="text/plain")
    ids = [pk for pk in map(parse_id, request.POST.getlist("symptom")) if pk is not None][:50]  # junk: ignored
    deflection = Deflection.objects.create(user=request.user, article=article, kb_number=article.kb_number)
    deflection.symptoms.set(Symptom.objects.filter(pk__in=ids))
    messages.success(request, f"Glad {article.kb_number} solved it. No ticket was created.")
    return redirect(article)
