"""Users through Django's own ModelBackend: every logged-in request sees the user's current roles, state and
password; nothing about a user is kept in the cache, shared or not."""

import pytest
import redis
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache

from portal.settings import redis_cache
from tickets.roles import HELPDESK, ensure_groups

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/14"  # the tests' own Redis database


@pytest.fixture
def user():
    ensure_groups()
    user = User.objects.create_user("hana", password="a long and uncommon passphrase")
    user.groups.add(Group.objects.get(name=HELPDESK))
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    return user


def test_the_configured_backends_are_the_limits_then_djangos_own(settings):
    assert settings.AUTHENTICATION_BACKENDS == [
        "portal.login_limit.AddressThrottleBackend",
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]


def test_requests_follow_a_revoked_role_a_deactivation_and_a_new_password(client, user):
    client.force_login(user)
    assert client.get("/tickets/").status_code == 200

    user.groups.clear()
    assert client.get("/tickets/").status_code == 403

    user.groups.add(Group.objects.get(name=HELPDESK))
    assert client.get("/tickets/").status_code == 200
    Group.objects.get(name=HELPDESK).permissions.remove(Permission.objects.get(codename="work_ticket"))
    assert client.get("/tickets/").status_code == 403
    Group.objects.get(name=HELPDESK).permissions.add(Permission.objects.get(codename="work_ticket"))

    user.set_password("another long passphrase")  # changed elsewhere: this session is logged out
    user.save()
    assert client.get("/tickets/").status_code == 302

    client.force_login(User.objects.get(pk=user.pk))
    assert client.get("/tickets/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)  # even without a signal: seen on the next request
    assert client.get("/tickets/").status_code == 302


def test_the_shared_cache_holds_no_user_and_no_password_hash(settings, client, user):
    settings.CACHES = {"default": {**redis_cache(REDIS_URL), "KEY_PREFIX": "portal-test"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cache.clear()
    try:
        client.force_login(user)
        for _ in range(2):
            assert client.get("/tickets/").status_code == 200
        server = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
        keys = server.keys("portal-test:*")
        assert keys  # the session (cached_db) and the rate-limit or page entries are there
        stored = b"".join(server.get(key) or b"" for key in keys)
        assert user.password.encode() not in stored
        assert b"auth:user" not in b"".join(keys)
    finally:
        cache.clear()
