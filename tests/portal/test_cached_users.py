"""portal.auth with the shared cache: a user and their permissions are read once, and any change to users, groups,
permissions or memberships is seen on the next request. Against Redis on loopback, as in production."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache

from portal.auth import OneQueryModelBackend
from tickets.roles import HELPDESK, ensure_groups

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/14"  # the tests' own Redis database (tests/portal/test_cache.py)


@pytest.fixture(autouse=True)
def shared_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "portal-test"}
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.AUTH_USER_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user():
    ensure_groups()
    user = User.objects.create_user("hana", password="x")
    user.groups.add(Group.objects.get(name=HELPDESK))
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    return user


def permissions(user_id: int) -> set[str]:
    user = OneQueryModelBackend().get_user(user_id)
    return set() if user is None else {p for p in user.get_all_permissions() if p.startswith(("kb.", "tickets."))}


def test_a_user_and_their_permissions_are_read_once(user, django_assert_num_queries):
    backend = OneQueryModelBackend()
    with django_assert_num_queries(2):  # the user, then their permissions
        backend.get_user(user.pk)
    with django_assert_num_queries(0):
        cached = backend.get_user(user.pk)
        assert cached.has_perm("tickets.work_ticket") and cached.has_perm("kb.change_article")
        assert not cached.has_perm("kb.delete_article")
    assert cached == user and cached.get_session_auth_hash() == user.get_session_auth_hash()


def test_every_change_to_users_groups_permissions_and_memberships_is_seen_at_once(user):
    helpdesk = Group.objects.get(name=HELPDESK)
    assert {"tickets.work_ticket", "kb.change_article"} <= permissions(user.pk)

    user.user_permissions.remove(Permission.objects.get(codename="change_article"))
    assert "kb.change_article" not in permissions(user.pk)

    helpdesk.permissions.remove(Permission.objects.get(codename="work_ticket"))
    assert "tickets.work_ticket" not in permissions(user.pk)

    helpdesk.permissions.add(Permission.objects.get(codename="work_ticket"))
    assert "tickets.work_ticket" in permissions(user.pk)
    user.groups.clear()
    assert "tickets.work_ticket" not in permissions(user.pk)

    user.groups.add(helpdesk)
    assert "tickets.work_ticket" in permissions(user.pk)
    helpdesk.delete()
    assert "tickets.work_ticket" not in permissions(user.pk)

    user.is_active = False
    user.save()
    assert OneQueryModelBackend().get_user(user.pk) is None
    user.delete()
    assert OneQueryModelBackend().get_user(user.pk) is None


def test_requests_follow_a_revoked_role_a_deactivation_and_a_new_password(client, user):
    client.force_login(user, backend="portal.auth.OneQueryModelBackend")
    assert client.get("/tickets/").status_code == 200
    assert client.get("/tickets/").status_code == 200  # the user now comes from the cache

    user.groups.clear()
    assert client.get("/tickets/").status_code == 403

    user.groups.add(Group.objects.get(name=HELPDESK))
    assert client.get("/tickets/").status_code == 200
    user.set_password("a new password")  # changed elsewhere: this session is logged out
    user.save()
    assert client.get("/tickets/").status_code == 302

    client.force_login(User.objects.get(pk=user.pk), backend="portal.auth.OneQueryModelBackend")
    assert client.get("/tickets/").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/tickets/").status_code == 302


def test_without_the_shared_cache_every_request_reads_the_database(settings, user, django_assert_num_queries):
    settings.AUTH_USER_CACHE_SECONDS = 0  # a per-process cache could not hear of a change made in another process
    backend = OneQueryModelBackend()
    backend.get_user(user.pk)
    with django_assert_num_queries(1):
        backend.get_user(user.pk)
