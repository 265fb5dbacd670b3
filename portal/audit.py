"""Record security-relevant events in `AuditEvent` (viewable by superusers in the admin)."""

from __future__ import annotations

import ipaddress
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.http import HttpRequest
from django.utils import timezone

from portal.models import AuditEvent

logger = logging.getLogger("portal.audit")

# Events anyone can cause in bulk, without an account: counted per kind, source and minute (`record_repeated`).
AGGREGATED = frozenset({AuditEvent.Kind.PERMISSION_DENIED, AuditEvent.Kind.RATE_LIMITED, AuditEvent.Kind.LOCKED_OUT})
OTHER_SOURCES = "other sources"


def client_ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def source_of(request: HttpRequest | None, user: Any) -> str:
    """Who repeated events are counted for: the client's address (an IPv6 client's /64, the network one host
    holds), and the user if logged in."""
    address = client_ip(request) or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        network = address[:45]
    else:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        network = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    return f"{network} user {user.pk}" if user is not None else network


def record(
    kind: str, request: HttpRequest | None = None, *, user: Any = None, username: str = "", detail: str = ""
) -> None:
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if kind in AGGREGATED:
        record_repeated(kind, request, user=user, username=username, detail=detail)
        return
    event = AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_ip(request),
        path=request.path[:500] if request is not None else "",
        detail=detail[:500],
    )
    logger.info("audit", extra={"kind": kind, "user_id": event.user_id, "path": event.path, "detail": event.detail})


def record_repeated(kind: str, request: HttpRequest | None, *, user: Any, username: str, detail: str) -> None:
    """Count the event in its kind's row for this source and minute; the first one of the minute creates the row
    (and the log line). Past AUDIT_NEW_SOURCES_PER_MINUTE new sources of a kind in a minute, further sources share
    one row ("other sources"): an anonymous flood, from however many addresses, stores a bounded number of rows."""
    from portal.ratelimit import is_limited  # portal.ratelimit records its 429s here

    now = timezone.now()
    minute = now.replace(second=0, microsecond=0)
    source = source_of(request, user)
    if count_into(kind, source, minute, now):
        return
    if is_limited(f"audit-sources:{kind}", "all", settings.AUDIT_NEW_SOURCES_PER_MINUTE):
        source = OTHER_SOURCES
        if count_into(kind, source, minute, now):
            return
    fields = {
        "user": user,
        "username": (username or (user.get_username() if user else ""))[:150],
        "ip_address": client_ip(request) if source != OTHER_SOURCES else None,
        "path": request.path[:500] if request is not None else "",
        "detail": detail[:500],
        "last_seen_at": now,
    }
    try:
        with transaction.atomic():
            event = AuditEvent.objects.create(kind=kind, source=source, minute=minute, **fields)
    except IntegrityError:  # another request created this minute's row meanwhile
        count_into(kind, source, minute, now)
        return
    logger.info("audit", extra={"kind": kind, "user_id": event.user_id, "path": event.path, "detail": event.detail})


def count_into(kind: str, source: str, minute: datetime, now: datetime) -> bool:
    """Add one to this minute's row of `kind` for `source`; False if there is none yet."""
    rows = AuditEvent.objects.filter(kind=kind, source=source, minute=minute)
    return rows.update(count=F("count") + 1, last_seen_at=now) > 0


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
