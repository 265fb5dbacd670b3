from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """A security-relevant event: logins, failed logins, permission denials, KB edits, diagnostic runs."""

    class Kind(models.TextChoices):
        LOGIN = "login", "Logged in"
        LOGOUT = "logout", "Logged out"
        LOGIN_FAILED = "login_failed", "Failed login"
        LOCKED_OUT = "locked_out", "Locked out"
        PERMISSION_DENIED = "permission_denied", "Permission denied"
        RATE_LIMITED = "rate_limited", "Rate limited"
        KB_EDIT = "kb_edit", "Knowledge-base edit"
        RUN_STARTED = "run_started", "Diagnostic run started"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True, help_text="As typed, for failed logins.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    # Repeated events (portal.audit.AGGREGATED: denials, CSRF failures, rate limits, lockouts) are one row per kind,
    # source and minute: `count` of them, the first one's details, `last_seen_at` the latest.
    count = models.PositiveIntegerField(default=1, db_default=1)  # db_default: rows inserted by older code
    source = models.CharField(
        max_length=80, blank=True, default="", db_default="", help_text="Client network (IPv6: its /64) and user."
    )
    minute = models.DateTimeField(null=True, blank=True, help_text="The minute aggregated in this row.")
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source", "minute"],
                condition=models.Q(minute__isnull=False),
                name="one_audit_row_per_kind_source_minute",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.created_at:%Y-%m-%d %H:%M}"


class OutgoingMail(models.Model):
    """One message to one address, sent by a background task (`portal.mail`), never inside a request.

    A failed attempt is retried later (backoff in `portal.mail.RETRY_DELAYS`); the admin lists what is still queued
    and what failed, with the last error. Once sent, the text is dropped (password-reset links must not linger).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    to = models.EmailField(max_length=254)
    from_email = models.CharField(max_length=254, blank=True, help_text="Empty: DEFAULT_FROM_EMAIL.")
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing mail"
        verbose_name_plural = "outgoing mail"

    def __str__(self) -> str:
        return f"{self.subject} to {self.to} ({self.get_status_display()})"
