"""Diagnostics on tickets: start the checks the linked articles call for, attach runs, show their results."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from diagnostics.checks import CHECK_NAMES, REGISTRY
from diagnostics.models import CheckResult, DiagnosticRun
from diagnostics.services import applicable_checks, start_run
from kb.models import Article
from tickets.access import visible_tickets
from tickets.forms import AttachForm, RunForm
from tickets.models import AttachedRun, Event, Ticket
from tickets.roles import is_helpdesk
from tickets.services import record

PROBLEM_STATUSES = ("fail", "warn", "error")


def suggested_checks(articles: Iterable[Article]) -> list[str]:
    wanted = {name for article in articles for name in article.suggested_checks}
    return [name for name in CHECK_NAMES if name in wanted]


def ticket_checks(ticket: Ticket) -> list[str]:
    """The checks the ticket's linked articles call for."""
    return suggested_checks(Article.objects.filter(ticket_links__ticket=ticket).only("suggested_checks"))


def check_label(name: str) -> str:
    """The check's human name from the diagnostics registry (a check since removed keeps its stored name)."""
    spec = REGISTRY.get(name)
    return spec.label if spec else name


class NotVisible(PermissionDenied):
    """The run may not go on this ticket: its requester may not see it (a view answers 403)."""


@transaction.atomic
def attach(ticket: Ticket, actor: AbstractBaseUser | None, run: DiagnosticRun) -> AttachedRun | None:
    """Attach `run` as evidence; None when it is attached already. Raises NotVisible when the ticket's requester
    may not see the run (another customer's domain, or one they no longer administer): they would read it there."""
    if not run.is_visible_to(ticket.requester):
        raise NotVisible(f"{ticket.requester} may not see run #{run.pk}.")
    attachment, created = AttachedRun.objects.get_or_create(ticket=ticket, run=run, defaults={"attached_by": actor})
    if not created:
        return None
    record(ticket, actor, Event.Kind.RUN, run=run.pk, checks=list(run.checks), domain=run.domain)
    return attachment


@transaction.atomic
def start_for_ticket(ticket: Ticket, actor: AbstractBaseUser, checks: Iterable[str]) -> DiagnosticRun | None:
    """Start `checks` (those the domain can run) on the ticket's domain and attach the run; None if none apply."""
    if ticket.domain is None:
        return None
    target = ticket.domain.target()
    possible = set(applicable_checks(target))
    names = [name for name in checks if name in possible]
    if not names:
        return None
    run = start_run(target, names, user=actor, protected_domain=ticket.domain, source=DiagnosticRun.Source.TICKET)
    attach(ticket, actor, run)
    return run


def may_attach(user: AbstractBaseUser, run: DiagnosticRun) -> bool:
    """Whoever may see the run now may attach it (to a ticket whose requester may see it too: `attach`)."""
    return run.is_visible_to(user)


def open_tickets_for(user: AbstractBaseUser, run: DiagnosticRun) -> QuerySet[Ticket]:
    """Tickets `run` could be attached to from the run's page: visible, not done, not attached yet, and filed by
    someone who may see the run."""
    return (
        visible_tickets(user)
        .exclude(status__in=Ticket.DONE)
        .exclude(attached_runs__run=run)
        .filter(requester__in=run.viewers())
        .order_by("-updated_at")
    )


def attachable_runs(ticket: Ticket, user: AbstractBaseUser) -> QuerySet[DiagnosticRun]:
    """Recent runs on the ticket's domain (any run of their own too, for the helpdesk) not attached yet, that both
    `user` and the ticket's requester may see now."""
    if ticket.domain is None and not is_helpdesk(user):
        return DiagnosticRun.objects.none()
    runs = DiagnosticRun.objects.filter(protected_domain=ticket.domain) if ticket.domain else DiagnosticRun.objects
    if is_helpdesk(user):
        runs = runs.all() | DiagnosticRun.objects.filter(requested_by=user)
    runs = runs & DiagnosticRun.objects.visible_to(user) & DiagnosticRun.objects.visible_to(ticket.requester)
    return runs.exclude(ticket_attachments__ticket=ticket).order_by("-created_at")


def ticket_runs_context(ticket: Ticket, user: AbstractBaseUser) -> dict:
    attached = (
        ticket.attached_runs.select_related("run", "attached_by")
        .prefetch_related(Prefetch("run__results", queryset=CheckResult.objects.order_by("position")))
        .order_by("-run__created_at", "-run__pk")
    )
    # Each viewer sees the attached runs they may see now (a gateway admin removed from the domain: none of them).
    visible = attached.filter(run__in=DiagnosticRun.objects.visible_to(user))
    attachments = list(visible)
    hidden_runs = attached.count() - len(attachments)
    runs = [attachment.run for attachment in attachments]
    if any(not run.is_done for run in runs):
        DiagnosticRun.objects.filter(pk__in=[run.pk for run in runs]).expire_stale()
    numbers = {kb for run in runs for result in run.results.all() for kb in result.articles}
    articles = {a.kb_number: a for a in Article.objects.by_kb_numbers(numbers).only("number", "slug", "title")}
    linked = set(ticket.links.values_list("kb_number", flat=True))
    for run in runs:
        for result in run.results.all():
            result.label = check_label(result.check_name)
            if result.vantage:  # the same check run from a probe too: say which row is which
                result.label = f"{result.label} (from {result.where})"
            result.kb_articles = [articles[kb] for kb in result.articles if kb in articles]
            result.unlinked = [a for a in result.kb_articles if a.kb_number not in linked]
    preselected = ticket_checks(ticket)
    return {
        "attachments": attachments,
        "hidden_runs": hidden_runs,
        "runs_live": any(not run.is_done for run in runs),
        "check_names": CHECK_NAMES,
        "preselected_checks": preselected,
        "run_form": RunForm(initial={"checks": preselected}),
        "attach_form": AttachForm(runs=attachable_runs(ticket, user)[:10]),
        "problem_statuses": PROBLEM_STATUSES,
    }
