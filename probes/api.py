"""The probes' JSON API: enrol with a one-time code, poll for work, post results. CSRF-exempt because no
browser session is involved: every request but enrolment is signed (probes.auth), enrolment spends a code."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from diagnostics import tasks
from diagnostics.checks import Outcome, Status
from diagnostics.checks.config import SETTING_NAMES
from diagnostics.models import DiagnosticRun
from portal.audit import client_ip
from portal.numbers import NumberError, parse_number
from portal.ratelimit import over_limit
from probes.auth import Refused, authenticate, body_of, forget_old_nonces
from probes.models import Assignment, EnrolmentCode, Probe, digest, new_secret, normalize_code

# The portal's DIAG_* values a probe receives; its resolver, CA bundle and address rules are its own.
SHARED_SETTINGS = tuple(
    name for name in SETTING_NAMES if name not in {"DIAG_NAMESERVERS", "DIAG_ALLOW_PRIVATE", "DIAG_TLS_CA_FILE"}
)
KB_RE = re.compile(r"^KB-[0-9]{4,6}$")
MAX_TEXT = 4000


def json_body(body: bytes) -> dict:
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "The body is not JSON.") from None
    if not isinstance(data, dict):
        raise Refused(400, "The body must be a JSON object.")
    return data


def api_view(view: Any) -> Any:
    """POST only, CSRF-exempt, Refused answered as JSON.

    Only `application/json` bodies are taken: a page on another site can make a browser post a form cross-site,
    never JSON (that needs a CORS preflight this portal does not answer), so no browser request reaches a view."""

    @csrf_exempt
    @require_POST
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.content_type != "application/json":
            return JsonResponse({"error": "Probe requests are JSON (Content-Type: application/json)."}, status=403)
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            return refused.response()

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@api_view
def enrol(request: HttpRequest) -> HttpResponse:
    """{"code": "..."} -> {"probe_id", "secret", "name", "site"}: the code is spent, the secret shown once."""
    message = "Too many enrolment attempts from this address. Try again in a minute."
    if refused := over_limit(request, "probe-enrol", settings.PROBES_ENROL_RATE_LIMIT, message=message):
        return refused
    data = json_body(body_of(request))
    code = normalize_code(str(data.get("code") or "")[:100])
    now = timezone.now()
    with transaction.atomic():
        row = EnrolmentCode.objects.select_for_update().filter(code_hash=digest(code)).first() if code else None
        if row is None or row.used_at is not None:
            raise Refused(403, "This enrolment code is not valid (or was used already); ask for a new one.")
        if row.expires_at <= now:
            raise Refused(403, "This enrolment code has expired (codes are valid 24 hours); ask for a new one.")
        if Probe.objects.filter(name=row.name).exists():
            raise Refused(409, f"A probe called {row.name!r} exists already; revoke it or choose another name.")
        secret, key_hash = new_secret()
        probe = Probe.objects.create(
            name=row.name,
            site=row.site,
            key_hash=key_hash,
            created_by=row.created_by,
            created_at=now,
            last_seen_at=now,
            last_address=client_ip(request) or None,
            version=str(data.get("version") or "")[:20],
        )
        probe.domains.add(row.domain)
        row.used_at, row.probe = now, probe
        row.save(update_fields=["used_at", "probe"])
    payload = {"probe_id": probe.pk, "secret": secret, "name": probe.name, "site": probe.site}
    return JsonResponse(payload, status=201)


def assignment_data(assignment: Assignment) -> dict:
    run = assignment.run
    return {
        "id": assignment.pk,
        "run": run.pk,
        "checks": assignment.checks,
        "target": {"domain": run.domain, **run.target},
        "config": {name: str(getattr(settings, name, "") or "") for name in SHARED_SETTINGS},
    }


@api_view
def poll(request: HttpRequest) -> HttpResponse:
    """{"wait": seconds} -> {"assignments": [...], "poll_interval": seconds}; waits up to PROBES_POLL_WAIT_MAX."""
    body = body_of(request)
    probe = authenticate(request, body)
    data = json_body(body)
    try:
        wait = min(float(data.get("wait") or 0), float(settings.PROBES_POLL_WAIT_MAX))
    except (TypeError, ValueError):
        raise Refused(400, "wait must be a number of seconds.") from None
    forget_old_nonces()
    DiagnosticRun.objects.expire_stale()
    give_up = time.monotonic() + max(wait, 0.0)
    while not (assignments := probe.take_work()) and time.monotonic() < give_up:
        time.sleep(0.5)
    payload = {"assignments": [assignment_data(a) for a in assignments], "poll_interval": settings.PROBES_POLL_SECONDS}
    return JsonResponse(payload)


def outcome_from(item: Any, allowed: set[str]) -> Outcome:
    """One posted result, validated: a check of the assignment, a known status, bounded texts."""
    if not isinstance(item, dict):
        raise Refused(400, "Each result must be a JSON object.")
    check = item.get("check")
    if check not in allowed:
        raise Refused(400, f"{str(check)[:50]!r} is not a check assigned to this probe in this run.")
    if item.get("status") not in set(Status):
        raise Refused(400, f"The status of {check} must be one of {', '.join(Status)}.")
    summary, details = item.get("summary"), item.get("details") or {}
    articles, commands = item.get("articles") or [], item.get("gateway_commands") or []
    if not isinstance(summary, str) or not isinstance(details, dict):
        raise Refused(400, f"The result of {check} needs a summary (text) and details (an object).")
    if not isinstance(articles, list) or not all(isinstance(a, str) and KB_RE.match(a) for a in articles):
        raise Refused(400, f"The articles of {check} must be KB numbers like KB-0002.")
    if not isinstance(commands, list) or not all(isinstance(c, str) for c in commands):
        raise Refused(400, f"The gateway commands of {check} must be texts.")
    try:
        duration = parse_number(str(item.get("duration_ms", 0)), minimum=0, maximum=2**31 - 1, name="duration_ms")
    except NumberError as exc:
        raise Refused(400, str(exc)) from None
    details = {**details, "probe_host": str(item.get("tested_from") or "")[:255]}
    return Outcome(
        check, Status(item["status"]), summary[:MAX_TEXT], details, duration, articles, [c[:MAX_TEXT] for c in commands]
    )


@api_view
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """{"results": [outcome, ...]} for one of this probe's assignments; recorded once."""
    body = body_of(request)
    probe = authenticate(request, body)
    assignment = probe.assignments.select_related("run").filter(pk=pk).first()
    if assignment is None:
        raise Refused(404, "No such run is assigned to this probe.")
    items = json_body(body).get("results")
    if not isinstance(items, list):
        raise Refused(400, "results must be a list.")
    outcomes = [outcome_from(item, set(assignment.checks)) for item in items]
    with transaction.atomic():
        done = Assignment.objects.filter(pk=assignment.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
        if not done:
            raise Refused(409, "The results of this run were already received.")
        recorded = 0
        for outcome in outcomes:
            outcome.tested_from = probe.label
            recorded += tasks.record(assignment.run, outcome, vantage=probe.key)
    tasks.finish(assignment.run_id)
    return JsonResponse({"recorded": recorded})
