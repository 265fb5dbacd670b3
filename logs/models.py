"""A log analysis: who made it, how far it got, and what it found (aggregates and bounded samples only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone


class LogAnalysisQuerySet(models.QuerySet["LogAnalysis"]):
    def visible_to(self, user: Any) -> LogAnalysisQuerySet:
        """Its creator's, the helpdesk's (all), and those attached to a ticket the user may see."""
        from tickets.access import visible_tickets
        from tickets.roles import is_helpdesk

        if not user.is_authenticated:
            return self.none()
        if is_helpdesk(user):
            return self.all()
        return self.filter(Q(owner=user) | Q(ticket__in=visible_tickets(user).values("pk")))

    def expired(self, now: Any = None) -> LogAnalysisQuerySet:
        days = int(getattr(settings, "LOG_RETENTION_DAYS", 30))
        return self.filter(created__lt=(now or timezone.now()) - timedelta(days=days))


class LogAnalysis(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Analysed"
        FAILED = "failed", "Could not be analysed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="log_analyses"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="log_analyses"
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=300, help_text="File names, or 'pasted text'.")
    masked = models.BooleanField(default=False, help_text="Local parts of addresses replaced by ***.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    upload_dir = models.CharField(max_length=500, blank=True, help_text="Raw files until analysed, then empty.")
    bytes_total = models.BigIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    lines_read = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="The analyze_logs --json shape.")
    details = models.JSONField(default=dict, blank=True, help_text="Series, tops, examples, sessions.")

    objects = LogAnalysisQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "log analyses"

    def __str__(self) -> str:
        return f"Log analysis {self.pk} ({self.source})"

    def get_absolute_url(self) -> str:
        return reverse("logs:detail", args=[self.pk])

    def is_visible_to(self, user: Any) -> bool:
        return LogAnalysis.objects.visible_to(user).filter(pk=self.pk).exists()

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def lines_per_second(self) -> int:
        if not self.started_at:
            return 0
        elapsed = ((self.finished_at or timezone.now()) - self.started_at).total_seconds()
        return int(self.lines_read / elapsed) if elapsed > 0 else 0

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(100 * self.bytes_read / self.bytes_total)) if self.bytes_total else 0

    @property
    def seconds_left(self) -> int | None:
        """Estimated from the bytes read so far (gzip: compressed bytes); None before the first block."""
        if not self.started_at or not self.bytes_read or self.finished:
            return None
        elapsed = (timezone.now() - self.started_at).total_seconds()
        return max(0, int(elapsed * (self.bytes_total - self.bytes_read) / self.bytes_read))

    @property
    def problems(self) -> list[dict[str, Any]]:
        """The summary's problems with their details (series, tops, examples) merged in."""
        details = self.details.get("problems", {})
        return [{**p, **details.get(p["kb"], {})} for p in self.summary.get("problems", [])]


def purge_expired() -> int:
    """Delete analyses older than LOG_RETENTION_DAYS (and any raw files left); returns how many."""
    from logs.storage import remove_upload

    old: QuerySet[LogAnalysis] = LogAnalysis.objects.expired()
    for path in old.exclude(upload_dir="").values_list("upload_dir", flat=True):
        remove_upload(path)
    _, deleted = old.delete()
    return deleted.get("logs.LogAnalysis", 0)
