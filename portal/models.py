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

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.created_at:%Y-%m-%d %H:%M}"
