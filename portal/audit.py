"""Record security-relevant events in `AuditEvent` (viewable by superusers in the admin)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.http import HttpRequest

from portal.models import AuditEvent

logger = logging.getLogger("portal.audit")


def client_ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(
    kind: str, request: HttpRequest | None = None, *, user: Any = None, username: str = "", detail: str = ""
) -> None:
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    event = AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_ip(request),
        path=request.path[:500] if request is not None else "",
        detail=detail[:500],
    )
    logger.info("audit", extra={"kind": kind, "user_id": event.user_id, "path": event.path, "detail": event.detail})


def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(AuditEvent.Kind.LOGIN, request, user=user)


def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(AuditEvent.Kind.LOGOUT, request, user=user)


def _login_failed(sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any) -> None:
    record(AuditEvent.Kind.LOGIN_FAILED, request, username=str(credentials.get("username", "")))


def _admin_edit(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if created and instance.content_type and instance.content_type.app_label == "kb":
        detail = f"{instance.get_action_flag_display()} {instance.content_type.model} {instance.object_repr}"
        record(AuditEvent.Kind.KB_EDIT, user=instance.user, detail=f"{detail}: {instance.get_change_message()}")


def _run_started(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        requested_by = getattr(instance, "requested_by", None)
        record(AuditEvent.Kind.RUN_STARTED, user=requested_by, detail=f"run {instance.pk}: {instance}")


def connect_signals() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit-login-failed")
    post_save.connect(_admin_edit, sender=LogEntry, dispatch_uid="audit-kb-edit")
    post_save.connect(_run_started, sender="diagnostics.DiagnosticRun", dispatch_uid="audit-run-started")
