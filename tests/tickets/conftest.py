"""Users for each role, a protected domain administered by `admin`, and a ticket of theirs."""

import pytest
from django.contrib.auth.models import Group

from diagnostics.models import ProtectedDomain
from tickets import services
from tickets.models import DomainAdmin
from tickets.roles import GATEWAY_ADMINS, HELPDESK, KB_EDITORS, ensure_groups

PASSWORD = "correct-horse-battery"


def make_user(django_user_model, name, group=None, **extra):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", PASSWORD, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def roles(db):
    ensure_groups()  # a flushed database (live server tests) lost the groups the migration made


@pytest.fixture
def helpdesk(roles, django_user_model):
    return make_user(django_user_model, "hanna", HELPDESK)


@pytest.fixture
def helpdesk2(roles, django_user_model):
    return make_user(django_user_model, "hugo", HELPDESK)


@pytest.fixture
def admin(roles, django_user_model):
    return make_user(django_user_model, "gary", GATEWAY_ADMINS)


@pytest.fixture
def other_admin(roles, django_user_model):
    return make_user(django_user_model, "olga", GATEWAY_ADMINS)


@pytest.fixture
def editor(roles, django_user_model):
    return make_user(django_user_model, "erik", KB_EDITORS, is_staff=True)


@pytest.fixture
def domain(admin):
    domain = ProtectedDomain.objects.create(
        name="example.com", gateway_hosts="mx.example.com", smtp_server="127.0.0.1:2525"
    )
    DomainAdmin.objects.create(user=admin, domain=domain)
    return domain


@pytest.fixture
def ticket(admin, domain):
    return services.create_ticket(admin, title="Mail bounces", description="Users get 451 replies.", domain=domain)


@pytest.fixture
def other_ticket(other_admin):
    return services.create_ticket(other_admin, title="Someone else's problem", description="Secret details")
