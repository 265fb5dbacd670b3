"""Protected domains (admin-managed targets), diagnostic runs and one result row per check."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from diagnostics.checks import Mode, Target, worst
from diagnostics.checks.domain import InvalidTarget, normalize_domain, normalize_host, parse_host_port

# How long a run may wait in the queue before it is given up (no worker running).
QUEUE_WAIT = timedelta(minutes=5)
# Slack after the checks' own deadline for writing results before a running run counts as dead.
RUN_GRACE = timedelta(seconds=10)


class Status(models.TextChoices):
    PASS = "pass", "Pass"
    WARN = "warn", "Warning"
    FAIL = "fail", "Fail"
    ERROR = "error", "Error"


def may_test_any_domain(user: Any) -> bool:
    """The helpdesk may test any protected domain and type ad-hoc domains; gateway admins only their own."""
    return user.is_superuser or user.has_perm("diagnostics.view_protecteddomain")


def may_see_every_run(user: Any) -> bool:
    return user.is_superuser or user.has_perm("diagnostics.view_diagnosticrun")


class ProtectedDomainQuerySet(models.QuerySet["ProtectedDomain"]):
    def for_user(self, user: Any) -> ProtectedDomainQuerySet:
        """Domains a user may report on and test: all for the helpdesk and superusers, else those they administer."""
        if may_test_any_domain(user):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(admins__user=user)


class ProtectedDomain(models.Model):
    name = models.CharField(max_length=253, unique=True, help_text="The mail domain, e.g. example.com.")
    gateway_hosts = models.TextField(
        blank=True, help_text="The FortiMail's public host names and/or IP addresses, one per line."
    )
    smtp_server = models.CharField(
        max_length=300, blank=True, help_text="The protected SMTP server for recipient verification: host or host:port."
    )
    valid_recipient = models.EmailField(blank=True, help_text="An address known to exist (optional).")
    mode = models.CharField(max_length=20, choices=[(m.value, m.value.title()) for m in Mode], default=Mode.GATEWAY)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProtectedDomainQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def gateways(self) -> list[str]:
        return [line.strip() for line in self.gateway_hosts.replace(",", "\n").splitlines() if line.strip()]

    def clean(self) -> None:
        errors = {}
        try:
            self.name = normalize_domain(self.name)
        except InvalidTarget as exc:
            errors["name"] = str(exc)
        try:
            self.gateway_hosts = "\n".join(normalize_host(host) for host in self.gateways())
        except InvalidTarget as exc:
            errors["gateway_hosts"] = str(exc)
        if self.smtp_server:
            try:
                host, port = parse_host_port(self.smtp_server)
                self.smtp_server = f"{host}:{port}" if port else host
            except InvalidTarget as exc:
                errors["smtp_server"] = str(exc)
        if errors:
            raise ValidationError(errors)

    def target(self) -> Target:
        host, port = parse_host_port(self.smtp_server) if self.smtp_server else ("", None)
        return Target(self.name, tuple(self.gateways()), host, port, Mode(self.mode), self.valid_recipient)


class DiagnosticRunQuerySet(models.QuerySet["DiagnosticRun"]):
    def visible_to(self, user: Any) -> DiagnosticRunQuerySet:
        """All runs for the helpdesk; for others the runs that test a domain they administer now.

        Who started a run does not matter: a gateway admin removed from a domain no longer sees its runs, not even
        those they started themselves (their results describe the domain's servers).
        """
        if may_see_every_run(user):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(protected_domain__in=ProtectedDomain.objects.for_user(user))

    def unfinished(self) -> DiagnosticRunQuerySet:
        return self.filter(state__in=[DiagnosticRun.State.QUEUED, DiagnosticRun.State.RUNNING])

    def expire_stale(self, now: datetime | None = None) -> int:
        """Mark runs still queued or running past their deadline as failed (a worker died or none runs)."""
        now = now or timezone.now()
        expired = 0
        for run_id in self.unfinished().filter(deadline_at__lt=now).values_list("pk", flat=True):
            expired += DiagnosticRun.fail_unfinished(run_id, now)
        return expired


class DiagnosticRun(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        WEB = "web", "Web page"
        COMMAND = "command", "Command line"
        TICKET = "ticket", "Ticket"

    domain = models.CharField(max_length=253, db_index=True)
    protected_domain = models.ForeignKey(
        ProtectedDomain, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    target = models.JSONField(default=dict, help_text="Gateways, SMTP server and mode as tested.")
    checks = models.JSONField(default=list)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="diagnostic_runs"
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.WEB)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, blank=True, help_text="The worst check.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(help_text="Still unfinished after this, the run is marked failed.")

    objects = DiagnosticRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["domain", "-created_at"], name="diag_run_domain_recent")]

    def __str__(self) -> str:
        return f"{self.domain} {self.created_at:%Y-%m-%d %H:%M} ({self.status or self.state})"

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:run", args=[self.pk])

    def is_visible_to(self, user: Any) -> bool:
        """Whether `user` may see this run now (DiagnosticRunQuerySet.visible_to, for one run)."""
        if user is None or not user.is_active:
            return False
        if may_see_every_run(user):
            return True
        return self.protected_domain_id is not None and (
            ProtectedDomain.objects.for_user(user).filter(pk=self.protected_domain_id).exists()
        )

    def viewers(self) -> models.QuerySet:
        """The active users who may see this run now: superusers, holders of `view_diagnosticrun` or
        `view_protecteddomain` (the helpdesk) and the administrators of its protected domain. The rule of
        `is_visible_to`, as a query on users."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Permission

        permission = Permission.objects.filter(
            codename__in=["view_diagnosticrun", "view_protecteddomain"], content_type__app_label="diagnostics"
        )
        who = (
            models.Q(is_superuser=True)
            | models.Q(groups__permissions__in=permission)
            | models.Q(user_permissions__in=permission)
        )
        if self.protected_domain_id is not None:
            who |= models.Q(protected_domains__domain=self.protected_domain_id)
        return get_user_model().objects.filter(who, is_active=True).distinct()

    def portal_checks(self) -> list[str]:
        """The checks this run runs on the portal itself (the others run on a remote vantage point)."""
        return list(self.results.filter(vantage="").values_list("check_name", flat=True))

    @property
    def is_done(self) -> bool:
        return self.state in {self.State.FINISHED, self.State.FAILED}

    def to_target(self) -> Target:
        t = self.target
        return Target(
            self.domain,
            tuple(t.get("gateways", ())),
            t.get("smtp_host", ""),
            t.get("smtp_port"),
            Mode(t.get("mode", Mode.GATEWAY)),
            t.get("valid_recipient", ""),
        )

    @staticmethod
    def target_data(target: Target) -> dict:
        return {
            "gateways": list(target.gateways),
            "smtp_host": target.smtp_host,
            "smtp_port": target.smtp_port,
            "mode": str(target.mode),
            "valid_recipient": target.valid_recipient,
        }

    @classmethod
    def fail_unfinished(cls, run_id: int, now: datetime) -> int:
        """Give up on one run: its pending checks become errors, the run `failed`. Returns 1 if it changed."""
        with transaction.atomic():
            run = cls.objects.select_for_update().filter(pk=run_id).unfinished().first()
            if run is None:
                return 0
            waited = "no worker picked it up" if run.state == cls.State.QUEUED else "the worker stopped"
            pending = run.results.filter(status="")
            remote = sorted({r.where for r in pending if r.vantage})
            if remote and not pending.filter(vantage="").exists():
                waited = f"{', '.join(remote)} stopped polling and did not report"
            for result in pending:
                reason = f"{result.where} stopped polling and did not report" if result.vantage else waited
                result.status, result.finished_at = Status.ERROR, now
                result.summary = f"The run did not finish before its deadline ({reason}); this check has no result."
                result.save(update_fields=["status", "summary", "finished_at"])
            run.state, run.finished_at = cls.State.FAILED, now
            run.error = f"Deadline passed at {run.deadline_at:%H:%M:%S} UTC: {waited}."
            run.status = worst(run.results.values_list("status", flat=True)) or Status.ERROR
            run.save(update_fields=["state", "finished_at", "error", "status"])
            return 1


class CheckResult(models.Model):
    run = models.ForeignKey(DiagnosticRun, on_delete=models.CASCADE, related_name="results")
    check_name = models.CharField(max_length=50)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, blank=True, help_text="Blank while pending.")
    summary = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    articles = models.JSONField(default=list, blank=True, help_text="KB numbers, e.g. KB-0002.")
    gateway_commands = models.JSONField(default=list, blank=True)
    tested_from = models.CharField(max_length=255, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Where the check runs: "" on the portal, else a remote vantage point's key (`probe:12`, diagnostics.vantages)
    vantage = models.CharField(max_length=50, blank=True, default="")
    vantage_label = models.CharField(max_length=255, blank=True, help_text="e.g. probe `hq-fml` (site HQ).")

    class Meta:
        ordering = ["run", "position", "vantage"]
        constraints = [
            models.UniqueConstraint(fields=["run", "check_name", "vantage"], name="one_result_per_check_per_vantage")
        ]

    def __str__(self) -> str:
        return f"{self.check_name}: {self.status or 'pending'}"

    @property
    def is_pending(self) -> bool:
        return not self.status

    @property
    def is_remote(self) -> bool:
        return bool(self.vantage)

    @property
    def where(self) -> str:
        """Where the check ran, in words: "probe `hq-fml` (site HQ)" or "the portal"."""
        return (self.vantage_label or self.vantage) if self.vantage else "the portal"


class DomainAdmin(models.Model):
    """A gateway admin responsible for a protected domain: they report problems and run checks for it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="protected_domains")
    domain = models.ForeignKey(ProtectedDomain, on_delete=models.CASCADE, related_name="admins")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "domain"], name="one_admin_link_per_domain")]
        verbose_name = "domain administrator"

    def __str__(self) -> str:
        return f"{self.user} for {self.domain}"
