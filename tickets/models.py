"""Tickets: what a gateway admin reported, the timeline of everything done about it, linked articles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from kb.models import Article


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        WAITING = "waiting", "Waiting on customer"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    class Priority(models.IntegerChoices):
        LOW = 1, "Low"
        NORMAL = 2, "Normal"
        HIGH = 3, "High"
        URGENT = 4, "Urgent"

    DONE = (Status.RESOLVED, Status.CLOSED)

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    evidence = models.TextField(blank=True, help_text="Bounce messages or log lines, as pasted.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets_requested")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets_assigned"
    )
    domain = models.ForeignKey(
        "diagnostics.ProtectedDomain", on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    symptoms = models.ManyToManyField("kb.Symptom", blank=True, related_name="tickets")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("work_ticket", "Can work all tickets (helpdesk)"),
            ("submit_ticket", "Can report problems and follow own tickets (gateway admin)"),
            ("view_metrics", "Can see ticket metrics"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"T-{self.pk:05d}"

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE


class Event(models.Model):
    """One timeline entry: a comment or a change, with who and when. Entries are never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        REPLY = "reply", "Reply"
        NOTE = "note", "Internal note"
        STATUS = "status", "Status changed"
        ASSIGNEE = "assignee", "Assignee changed"
        PRIORITY = "priority", "Priority changed"
        LINKED = "linked", "Article linked"
        UNLINKED = "unlinked", "Article unlinked"
        RUN = "run", "Diagnostics attached"

    COMMENTS = (Kind.REPLY, Kind.NOTE)

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"

    @property
    def is_comment(self) -> bool:
        return self.kind in self.COMMENTS

    @property
    def is_internal(self) -> bool:
        return self.kind == self.Kind.NOTE


class ArticleLink(models.Model):
    """A KB article that applies to a ticket. Keeps the KB number and title if the article is deleted."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links")
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="ticket_links")
    kb_number = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    note = models.CharField(max_length=300, blank=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["ticket", "kb_number"], name="one_link_per_article")]

    def __str__(self) -> str:
        return f"{self.kb_number} on {self.ticket_id}"


class Deflection(models.Model):
    """A symptom form answered by an article: "yes, solved", no ticket created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, related_name="deflections")
    kb_number = models.CharField(max_length=20)
    symptoms = models.ManyToManyField("kb.Symptom", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kb_number} solved it"


class AttachedRun(models.Model):
    """A diagnostic run attached to a ticket as evidence."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attached_runs")
    run = models.ForeignKey("diagnostics.DiagnosticRun", on_delete=models.CASCADE, related_name="ticket_attachments")
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["ticket", "run"], name="attach_run_once")]

    def __str__(self) -> str:
        return f"run {self.run_id} on {self.ticket_id}"
