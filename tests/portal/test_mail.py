"""Mail is sent by background tasks with the shipped SMTP timeout, retried with backoff, visible in the admin.

The tests of a stalled relay use the settings as shipped (portal/settings.py: the database task backend, the SMTP
mailer and its timeout), pointed only at a loopback port that accepts connections and never answers.
"""

import copy
import socket
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

import portal.settings as shipped
from portal import mail
from portal.models import OutgoingMail

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.com", PASSWORD)


def shipped_mailer(port):
    """The shipped MAILERS, with only the relay's address changed."""
    mailers = copy.deepcopy(shipped.MAILERS)
    mailers["default"]["OPTIONS"].update(host="127.0.0.1", port=port)
    return mailers


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_shipped_smtp_mailer_has_a_timeout():
    assert shipped.MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert 0 < shipped.MAILERS["default"]["OPTIONS"]["timeout"] <= 30
    assert shipped.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


@pytest.mark.django_db(transaction=True)
def test_no_request_waits_on_a_stalled_relay_and_the_task_gives_up_at_its_timeout(
    client, settings, silent_server, alice, django_user_model
):
    settings.TASKS = copy.deepcopy(shipped.TASKS)  # tests run tasks immediately; production queues them
    settings.MAILERS = shipped_mailer(silent_server)
    timeout = settings.MAILERS["default"]["OPTIONS"]["timeout"]

    started = time.monotonic()
    response = client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    reset_seconds = time.monotonic() - started
    assert response.status_code == 302 and response.url == "/accounts/password_reset/done/"
    assert reset_seconds < timeout / 2  # the relay never answers: only a request that does not wait on it returns

    mail_row = OutgoingMail.objects.get()
    assert (mail_row.to, mail_row.status, mail_row.attempts) == ("alice@example.com", "queued", 0)
    assert "/accounts/reset/" in mail_row.body
    assert DBTaskResult.objects.get().status == "READY"

    # A second message (a ticket notification) queued behind it: the worker does not wait on the relay twice.
    mail.queue_mail("bob@example.com", "[T-00001] Status changed", "Was: New")

    started = time.monotonic()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    worker_seconds = time.monotonic() - started
    assert timeout - 0.5 <= worker_seconds < timeout + 5

    first, second = OutgoingMail.objects.order_by("pk")
    assert (first.status, first.attempts) == ("queued", 1)
    assert "timed out" in first.last_error
    assert timedelta(seconds=50) < first.next_attempt_at - first.last_failed_at <= timedelta(minutes=1)
    assert (second.status, second.attempts) == ("queued", 0)  # postponed without trying
    assert second.next_attempt_at == first.last_failed_at + mail.RELAY_PAUSE
    retries = DBTaskResult.objects.filter(status="READY").order_by("run_after")
    assert [r.run_after for r in retries] == [first.next_attempt_at, second.next_attempt_at]


@pytest.mark.django_db
def test_retries_back_off_then_the_message_is_sent_and_its_text_dropped(settings, mailoutbox):
    settings.MAILERS = shipped_mailer(closed_port())
    row = mail.queue_mail("alice@example.com", "Reset", "https://portal.example/reset/secret-token/")
    assert mail.attempt(row.pk) == "retry"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 1) and "ConnectionRefusedError" in row.last_error
    assert mail.attempt(row.pk) == "skipped"  # not before its retry time

    delays = []
    for attempts in range(2, mail.MAX_ATTEMPTS):
        before = timezone.now()
        OutgoingMail.objects.filter(pk=row.pk).update(next_attempt_at=None, last_failed_at=before - timedelta(hours=1))
        assert mail.attempt(row.pk) == "retry"
        row.refresh_from_db()
        assert row.attempts == attempts
        delays.append(round((row.next_attempt_at - before).total_seconds() / 60))
    assert delays == [5, 15, 60, 240]  # minutes

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    OutgoingMail.objects.filter(pk=row.pk).update(next_attempt_at=None, last_failed_at=None)
    assert mail.attempt(row.pk) == "sent"
    row.refresh_from_db()
    assert (row.status, row.body, row.attempts) == ("sent", "", mail.MAX_ATTEMPTS)
    assert [m.body for m in mailoutbox] == ["https://portal.example/reset/secret-token/"]


@pytest.mark.django_db
def test_after_the_last_attempt_the_message_fails_and_a_5xx_fails_at_once(settings):
    settings.MAILERS = shipped_mailer(closed_port())
    row = mail.queue_mail("alice@example.com", "Reset", "text")
    OutgoingMail.objects.filter(pk=row.pk).update(attempts=mail.MAX_ATTEMPTS - 1)
    assert mail.attempt(row.pk) == "failed"
    row.refresh_from_db()
    assert (row.status, row.next_attempt_at) == ("failed", None) and row.last_error
    assert mail.attempt(row.pk) == "skipped"

    import smtplib

    assert mail.is_permanent(smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"5.1.1 unknown")}))
    assert not mail.is_permanent(smtplib.SMTPRecipientsRefused({"a@example.com": (451, b"4.7.1 later")}))
    assert mail.is_permanent(smtplib.SMTPDataError(554, b"rejected"))
    assert not mail.is_permanent(smtplib.SMTPServerDisconnected("gone"))
    assert not mail.is_permanent(TimeoutError("timed out"))


@pytest.mark.django_db
def test_the_admin_lists_failures_and_sends_again(
    admin_client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAILERS = shipped_mailer(closed_port())
    row = mail.queue_mail("alice@example.com", "Ticket T-00001", "text")
    OutgoingMail.objects.filter(pk=row.pk).update(attempts=mail.MAX_ATTEMPTS - 1)
    mail.attempt(row.pk)
    page = admin_client.get("/admin/portal/outgoingmail/").content.decode()
    assert "alice@example.com" in page and "ConnectionRefusedError" in page and "Failed" in page

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    OutgoingMail.objects.filter(pk=row.pk).update(last_failed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/portal/outgoingmail/", {"action": "send_now", "_selected_action": [row.pk]}, follow=True
        )
    assert "1 message(s) queued for sending." in response.content.decode()
    row.refresh_from_db()
    assert row.status == "sent" and len(mailoutbox) == 1  # tests run tasks immediately


@pytest.mark.django_db
def test_the_outgoing_mail_admin_is_for_superusers_only(client, alice):
    alice.is_staff = True
    alice.save()
    client.force_login(alice)
    assert client.get("/admin/portal/outgoingmail/").status_code == 403


@pytest.mark.django_db
def test_password_resets_are_rate_limited_per_client_and_per_address(client, settings, alice):
    settings.RATE_LIMIT_PASSWORD_RESET_PER_MINUTE = 3
    settings.RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 2

    def reset(email, ip):
        return client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=ip).status_code

    # Per address, whichever client asks and whether or not the address has an account.
    assert [reset("Alice@example.com", f"192.0.2.{n}") for n in range(1, 4)] == [302, 302, 429]
    assert [reset("nobody@example.com", f"192.0.2.{n}") for n in range(1, 4)] == [302, 302, 429]
    assert OutgoingMail.objects.filter(to="alice@example.com").count() == 2 == OutgoingMail.objects.count()
    # Per client address, whatever the email address.
    assert [reset(f"x{n}@example.com", "198.51.100.7") for n in range(4)] == [302, 302, 302, 429]
    assert reset("x9@example.com", "198.51.100.8") == 302
