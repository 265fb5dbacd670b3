"""Security-relevant events land in the audit log, which only superusers can read."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from kb.models import Article
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password=PASSWORD)


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def kinds() -> list[str]:
    return list(AuditEvent.objects.order_by("created_at", "pk").values_list("kind", flat=True))


def test_login_logout_and_failed_login_are_recorded(client, alice):
    login(client, "alice", "wrong")
    assert login(client, "alice", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    assert kinds() == ["login_failed", "login", "logout"]
    failed = AuditEvent.objects.get(kind="login_failed")
    assert failed.username == "alice" and failed.ip_address == "127.0.0.1"


def test_repeated_failures_lock_out_that_user_from_that_address(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong")
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "locked_out" in kinds()


def test_kb_edits_in_the_admin_are_recorded(guide, django_user_model):
    editor = django_user_model.objects.create_user("ed", password=PASSWORD)
    article = Article.objects.get(number=6)
    LogEntry.objects.log_actions(
        user_id=editor.pk, queryset=[article], action_flag=CHANGE, change_message=[{"changed": {"fields": ["Summary"]}}]
    )
    event = AuditEvent.objects.get(kind="kb_edit")
    assert event.user == editor
    assert "KB-0006" in event.detail and "Summary" in event.detail
    assert ContentType.objects.get_for_model(Article).app_label == "kb"


def test_permission_denied_is_recorded_and_shown_in_site_style(client, alice):
    client.force_login(alice)
    response = client.get("/admin/portal/auditevent/")
    assert response.status_code == 302  # the admin sends non-staff to its login


def test_only_superusers_see_the_audit_log(client, django_user_model, alice):
    staff = django_user_model.objects.create_user("staff", password=PASSWORD, is_staff=True)
    staff.user_permissions.set([])
    client.force_login(staff)
    assert client.get("/admin/portal/auditevent/").status_code == 403
    assert "permission_denied" in kinds()
    root = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    client.force_login(root)
    response = client.get("/admin/portal/auditevent/")
    assert response.status_code == 200
    assert "Permission denied" in response.content.decode()


def test_csrf_failure_is_a_403_page_and_recorded(alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert AuditEvent.objects.filter(kind="permission_denied", detail__startswith="CSRF").exists()
