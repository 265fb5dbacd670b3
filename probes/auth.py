"""Checking a signed probe request: size, headers, clock, signature, revocation, replay, rate limit."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from portal.audit import client_ip
from portal.numbers import NumberError, parse_id, parse_number
from portal.ratelimit import over_limit
from probes.agent.signing import (
    ID_HEADER,
    NONCE_HEADER,
    NONCE_RE,
    SIGNATURE_HEADER,
    SIGNATURE_RE,
    TIMESTAMP_HEADER,
    VERSION_HEADER,
    verify,
)
from probes.models import Nonce, Probe


class Refused(Exception):
    """The request is refused; `response()` is the JSON answer."""

    def __init__(self, status: int, message: str, response: HttpResponse | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.answer = status, message, response

    def response(self) -> HttpResponse:
        return self.answer or JsonResponse({"error": self.message}, status=self.status)


def body_of(request: HttpRequest) -> bytes:
    """The request body, refused (413) past PROBES_MAX_BODY bytes before it is read."""
    limit = settings.PROBES_MAX_BODY
    try:
        length = parse_number(request.META.get("CONTENT_LENGTH") or "0", minimum=0, name="Content-Length")
    except NumberError:
        raise Refused(400, "Content-Length must be a whole number.") from None
    if length > limit:
        raise Refused(413, f"The request body is larger than {limit} bytes.")
    body = request.body
    if len(body) > limit:
        raise Refused(413, f"The request body is larger than {limit} bytes.")
    return body


def authenticate(request: HttpRequest, body: bytes) -> Probe:
    """The probe that signed this request, or Refused. Each nonce is accepted once."""
    header = request.headers
    probe_id = parse_id(header.get(ID_HEADER, ""))
    timestamp, nonce, given = (header.get(h, "") for h in (TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER))
    if probe_id is None or not NONCE_RE.match(nonce) or not SIGNATURE_RE.match(given):
        raise Refused(403, "The request is not signed (probe id, timestamp, nonce and signature headers).")
    try:
        sent = parse_number(timestamp, minimum=0, maximum=2**40, name="The timestamp")
    except NumberError as exc:
        raise Refused(403, str(exc)) from None
    skew = settings.PROBES_CLOCK_SKEW
    now = timezone.now()
    if abs(now.timestamp() - sent) > skew:
        raise Refused(403, f"The probe's clock is more than {skew} s off the portal's: set its time (NTP).")
    probe = Probe.objects.filter(pk=probe_id).first()
    method = request.method or ""
    key = probe.signing_key() if probe is not None else None
    if probe is None or key is None or not verify(key, given, method, request.path, timestamp, nonce, body):
        raise Refused(403, "Bad signature.")
    if probe.is_revoked:
        raise Refused(403, "This probe has been revoked; enrol it again with a new code.")
    try:
        with transaction.atomic():
            Nonce.objects.create(probe=probe, value=nonce, seen_at=now)
    except IntegrityError:
        raise Refused(403, "This request was already received (replayed nonce).") from None
    limit = settings.PROBES_RATE_LIMIT
    message = f"Too many requests from this probe: at most {limit} a minute."
    if refused := over_limit(request, "probe-api", limit, who=f"probe:{probe.pk}", message=message):
        raise Refused(429, message, refused)
    probe.last_seen_at, probe.last_address = now, client_ip(request) or None
    probe.version = header.get(VERSION_HEADER, "")[:20]
    probe.save(update_fields=["last_seen_at", "last_address", "version"])
    return probe


def forget_old_nonces() -> None:
    """Nonces older than twice the skew window cannot come back (their timestamp would be refused)."""
    Nonce.objects.filter(seen_at__lt=timezone.now() - timedelta(seconds=2 * settings.PROBES_CLOCK_SKEW)).delete()
