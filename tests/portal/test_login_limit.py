"""Password spraying (one password over many usernames from one address) is limited per address, on every
login form; django-axes alone counts per username and address."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"


@pytest.fixture
def limit(settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 6
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.LOGIN_FAILURES_PER_ADDRESS


def spray(client, count, path="/accounts/login/"):
    for n in range(count):
        response = client.post(path, {"username": f"user{n}", "password": "Summer2026!"})
        assert response.status_code == 200  # the form again, with its error: no single username is locked


def test_spraying_usernames_from_one_address_is_stopped(limit, django_user_model):
    django_user_model.objects.create_user("alice", password=PASSWORD)
    sprayer = Client(REMOTE_ADDR="198.51.100.7")
    spray(sprayer, limit)
    response = sprayer.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429 and "Too many failed logins from your address" in response.content.decode()
    assert "_auth_user_id" not in sprayer.session
    assert sprayer.get("/accounts/login/").status_code == 200  # the page itself still shows
    # the admin's login form is refused too, even with the right password
    django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    sprayer.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in sprayer.session
    # another address is not affected
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 302


def test_fewer_failures_than_the_limit_do_not_block(limit, django_user_model):
    django_user_model.objects.create_user("alice", password=PASSWORD)
    client = Client(REMOTE_ADDR="198.51.100.8")
    spray(client, limit - 1)
    assert client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 302


def test_failures_on_the_admin_login_count_too(limit, django_user_model):
    django_user_model.objects.create_user("alice", password=PASSWORD)
    client = Client(REMOTE_ADDR="198.51.100.9")
    for n in range(limit):
        client.post("/admin/login/?next=/admin/", {"username": f"user{n}", "password": "Summer2026!"})
    assert client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 429


def test_overlong_usernames_are_a_failed_login_not_a_500(limit):
    from axes.models import AccessAttempt

    client = Client(raise_request_exception=False)
    for username in ("x" * 20_001, "1" * 4_400, "y" * 256):
        response = client.post("/accounts/login/", {"username": username, "password": "wrong"})
        assert response.status_code == 200 and "correct username and password" in response.content.decode()
    assert AccessAttempt.objects.exists()
    assert max(len(a.username) for a in AccessAttempt.objects.all()) == 150
