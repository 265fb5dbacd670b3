"""portal.auth.OneQueryModelBackend answers like Django's ModelBackend, in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User

from portal.auth import OneQueryModelBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    user = User.objects.create_user("rita")
    group = Group.objects.create(name="readers")
    group.permissions.add(Permission.objects.get(codename="view_article"))
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    return User.objects.get(pk=user.pk)


def test_own_and_group_permissions_in_one_query(user, django_assert_num_queries):
    with django_assert_num_queries(1):
        permissions = OneQueryModelBackend().get_all_permissions(user)
    assert permissions == {"kb.view_article", "kb.change_article"}
    assert permissions == ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))
    assert user.has_perm("kb.view_article") and user.has_perm("kb.change_article")
    assert not user.has_perm("kb.delete_article")


def test_superuser_inactive_and_object_permissions(user):
    boss = User.objects.create_superuser("boss")
    backend = OneQueryModelBackend()
    assert backend.get_all_permissions(boss) == ModelBackend().get_all_permissions(User.objects.get(pk=boss.pk))
    assert "tickets.work_ticket" in backend.get_all_permissions(boss)
    user.is_active = False
    assert backend.get_all_permissions(user) == set()
    assert backend.get_all_permissions(boss, obj=object()) == set()


def test_a_revoked_group_permission_is_gone_on_the_next_request(client, user):
    group = Group.objects.get(name="readers")
    group.permissions.clear()
    assert OneQueryModelBackend().get_all_permissions(User.objects.get(pk=user.pk)) == {"kb.change_article"}


def test_the_same_permission_through_several_groups_and_no_permissions_at_all(user):
    second = Group.objects.create(name="more readers")
    second.permissions.add(Permission.objects.get(codename="view_article"))
    user.groups.add(second)
    fresh = User.objects.get(pk=user.pk)
    assert OneQueryModelBackend().get_all_permissions(fresh) == {"kb.view_article", "kb.change_article"}
    assert OneQueryModelBackend().get_all_permissions(User.objects.create_user("nobody")) == set()


def test_get_user_reads_the_same_user_in_one_query(user, django_assert_num_queries):
    backend = OneQueryModelBackend()
    with django_assert_num_queries(1):
        fetched = backend.get_user(user.pk)
    expected = ModelBackend().get_user(user.pk)
    fields = [field.attname for field in User._meta.concrete_fields]
    assert [getattr(fetched, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert fetched == expected and not fetched._state.adding
    fetched.first_name = "Rita"
    fetched.save(update_fields=["first_name"])  # a normal model instance: it saves
    assert User.objects.get(pk=user.pk).first_name == "Rita"


def test_get_user_for_a_missing_or_inactive_user_is_none(user):
    backend = OneQueryModelBackend()
    assert backend.get_user(10**9) is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert backend.get_user(user.pk) is None


def test_a_logged_in_request_reads_the_user_through_the_backend(client, user):
    client.force_login(user, backend="portal.auth.OneQueryModelBackend")
    assert client.get("/accounts/password_change/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)  # deactivated: logged out on the next request
    assert client.get("/accounts/password_change/").status_code == 302
