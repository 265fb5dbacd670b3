"""Probes (a site's vantage point), their one-time enrolment codes, run assignments and seen nonces."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from diagnostics.models import DiagnosticRun, ProtectedDomain, may_test_any_domain
from probes.agent.signing import signing_key

CODE_LIFETIME = timedelta(hours=24)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def administered_domains(user: Any) -> models.QuerySet[ProtectedDomain]:
    """Domains whose probes `user` may enrol and revoke: those they administer (superusers: all)."""
    if user.is_superuser:
        return ProtectedDomain.objects.all()
    if not user.is_authenticated:
        return ProtectedDomain.objects.none()
    return ProtectedDomain.objects.filter(admins__user=user)


class ProbeQuerySet(models.QuerySet["Probe"]):
    def visible_to(self, user: Any) -> ProbeQuerySet:
        """Every probe for the helpdesk; a gateway admin's probes on domains they administer."""
        if may_test_any_domain(user):
            return self.all()
        return self.filter(domains__in=administered_domains(user)).distinct()

    def live(self, now: Any = None) -> ProbeQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, last_seen_at__gte=now - Probe.offline_after())


class Probe(models.Model):
    name = models.CharField(max_length=63, unique=True, help_text="e.g. hq-fml")
    site = models.CharField(max_length=100, help_text="Where it runs, e.g. HQ.")
    domains = models.ManyToManyField(ProtectedDomain, related_name="probes")
    key_hash = models.CharField(max_length=64, help_text="SHA-256 of the probe's secret: its HMAC key.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_address = models.GenericIPAddressField(null=True, blank=True, help_text="Address it last polled from.")
    version = models.CharField(max_length=20, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ProbeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    @staticmethod
    def offline_after() -> timedelta:
        return timedelta(seconds=settings.PROBES_OFFLINE_AFTER)

    @property
    def key(self) -> str:
        """The vantage key of its result rows (diagnostics.vantages)."""
        return f"probe:{self.pk}"

    @property
    def label(self) -> str:
        return f"probe `{self.name}` (site {self.site})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_online(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return not self.is_revoked and self.last_seen_at is not None and self.last_seen_at >= now - self.offline_after()

    @property
    def state(self) -> str:
        return "revoked" if self.is_revoked else ("online" if self.is_online() else "offline")

    def signing_key(self) -> bytes | None:
        """The HMAC key, or None when the row holds none (never verify with an empty key)."""
        try:
            key = bytes.fromhex(self.key_hash)
        except ValueError:
            return None
        return key if len(key) == 32 else None

    def revoke(self) -> None:
        """Refuse its requests from now on; its unfinished assignments fail at their runs' deadlines."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    def take_work(self) -> list[Assignment]:
        """Its assignments not delivered yet, on unfinished runs; marked delivered."""
        pending = self.assignments.filter(delivered_at__isnull=True, run__state__in=["queued", "running"])
        now = timezone.now()
        # each one is taken by one poll only, even when two polls of the same probe overlap
        return [
            a
            for a in pending.select_related("run")
            if Assignment.objects.filter(pk=a.pk, delivered_at__isnull=True).update(delivered_at=now)
        ]


class EnrolmentCode(models.Model):
    code_hash = models.CharField(max_length=64, unique=True)
    domain = models.ForeignKey(ProtectedDomain, on_delete=models.CASCADE, related_name="enrolment_codes")
    name = models.CharField(max_length=63)
    site = models.CharField(max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    probe = models.ForeignKey(Probe, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"code for {self.name} ({self.domain})"

    @classmethod
    def issue(cls, user: Any, domain: ProtectedDomain, name: str, site: str) -> tuple[EnrolmentCode, str]:
        """A new code; the clear text is returned once and only its hash stored."""
        raw = secrets.token_hex(10).upper()
        code = "-".join(raw[i : i + 5] for i in range(0, len(raw), 5))
        now = timezone.now()
        row = cls.objects.create(
            code_hash=digest(normalize_code(code)),
            domain=domain,
            name=name,
            site=site,
            created_by=user,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        return row, code

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


def normalize_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isascii() and c.isalnum())


def new_secret() -> tuple[str, str]:
    """(secret for the probe, key hash for the portal)."""
    secret = secrets.token_urlsafe(32)
    return secret, signing_key(secret).hex()


class Assignment(models.Model):
    """Checks of one run given to one probe; it reports them once."""

    probe = models.ForeignKey(Probe, on_delete=models.CASCADE, related_name="assignments")
    run = models.ForeignKey(DiagnosticRun, on_delete=models.CASCADE, related_name="probe_assignments")
    checks = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["probe", "run"], name="one_assignment_per_probe_run")]

    def __str__(self) -> str:
        return f"run {self.run_id} on {self.probe}"


class Nonce(models.Model):
    """Nonces of signed requests, kept for twice the clock-skew window: a second use is a replay."""

    probe = models.ForeignKey(Probe, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=64)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["probe", "value"], name="one_use_per_nonce")]

    def __str__(self) -> str:
        return self.value
