"""Probe fixtures: a protected domain on the loopback servers, its gateway admin, enrolled probes, signed requests."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from diagnostics.models import DomainAdmin, ProtectedDomain
from probes.agent.signing import VERSION_HEADER, signed_headers, signing_key
from tests.servers.fixtures import diag, dns_server, http_servers, smtp_servers  # noqa: F401

POLL = "/api/probes/poll"


@pytest.fixture
def domain(db):
    return ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test", smtp_server="smtp.one.test")


@pytest.fixture
def other_domain(db):
    return ProtectedDomain.objects.create(name="two.test", gateway_hosts="mx.gw.test", smtp_server="smtp.one.test")


def make_user(django_user_model, name: str, group: str | None = None):
    from django.contrib.auth.models import Group

    from tickets.roles import ensure_groups

    ensure_groups()  # a transactional test's flush removed the migration's groups
    user = django_user_model.objects.create_user(name, password="pw-" + name)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def gateway_admin(django_user_model, domain):
    user = make_user(django_user_model, "gwadmin", "gateway-admins")
    DomainAdmin.objects.create(user=user, domain=domain)
    return user


@pytest.fixture
def helpdesk(django_user_model):
    return make_user(django_user_model, "helpdesk", "helpdesk")


def enrolled(domain: ProtectedDomain, name: str = "hq-fml", site: str = "HQ", *, seen: bool = True) -> tuple:
    """A probe for `domain` made directly (no code), seen just now; returns (probe, secret)."""
    from probes.models import Probe, new_secret  # here: pages_without_probes.py runs without the app

    secret, key_hash = new_secret()
    probe = Probe.objects.create(name=name, site=site, key_hash=key_hash, last_seen_at=timezone.now() if seen else None)
    probe.domains.add(domain)
    return probe, secret


@pytest.fixture
def probe(domain):
    return enrolled(domain)


def signed_post(path: str, payload: object, probe, secret: str, *, body: bytes | None = None, **kwargs):
    """POST `payload` signed as `probe` with Django's test client; `headers`/`now` change what is signed."""
    body = json.dumps(payload).encode() if body is None else body
    headers = signed_headers(probe.pk, signing_key(secret), "POST", path, body, now=kwargs.pop("now", None))
    headers.update(kwargs.pop("headers", {}))
    headers[VERSION_HEADER] = "test"
    return Client().post(path, body, content_type="application/json", headers=headers)


def long_ago(**delta: float):
    return timezone.now() - timedelta(**delta)
