"""Users for each role, a protected domain administered by `admin`, and a ticket of theirs."""

import pytest
from django.contrib.auth.models import Group

from diagnostics.models import DomainAdmin, ProtectedDomain
from tests.servers.fixtures import diag, dns_server, http_servers, smtp_servers  # noqa: F401 - loopback servers
from tickets import services
from tickets.roles import GATEWAY_ADMINS, HELPDESK, KB_EDITORS, ensure_groups

PASSWORD = "correct-horse-battery"


def make_user(django_user_model, name, group=None, **extra):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", PASSWORD, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def articles(db):
    """Three small articles (KB-0001, KB-0002, KB-0006) when the whole guide is more than a test needs."""
    from kb.models import Article, Category

    category = Category.objects.create(name="Test", slug="test")
    return {
        number: Article.objects.create(
            number=number, slug=f"article-{number}", title=title, category=category, suggested_checks=checks
        )
        for number, title, checks in [
            (1, "SMTP clients receive 550 5.7.1 Relay access denied.", ["relay_denied"]),
            (2, "The FortiMail unit is bypassed.", ["mx_records"]),
            (6, "SMTP clients receive the message 451 Try again later.", ["smtp_recipient_verification"]),
        ]
    }


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
    return make_user(django_user_model, "erik", KB_EDITORS)  # staff by being in the group


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
