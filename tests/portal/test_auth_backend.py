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
