"""Upload and paste pages, progress, result, session, attach: login, permissions, CSRF, hostile input."""

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from logs.models import LogAnalysis
from tickets.roles import GATEWAY_ADMINS

from .conftest import FIXTURES, make_user


@pytest.fixture
def owner(roles, django_user_model):
    return make_user(django_user_model, "uma", GATEWAY_ADMINS)


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST to the upload page; the analysis task (immediate backend) runs when the request's transaction commits."""

    def post(client, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("logs:index"), data)

    return post


@pytest.fixture
def upload(post):
    def upload(client, *names, **extra):
        files = [SimpleUploadedFile(name, (FIXTURES / name).read_bytes()) for name in names]
        return post(client, {"files": files, **extra})

    return upload


def test_login_required(client, db):
    response = client.get(reverse("logs:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_upload_analyses_and_deletes_the_raw_files(client, guide, owner, upload_root, upload):
    login(client, owner)
    response = upload(client, "history_kv.log", "event_v8.log")
    analysis = LogAnalysis.objects.get()
    assert response.status_code == 302 and response["Location"] == analysis.get_absolute_url()
    assert analysis.status == LogAnalysis.Status.DONE  # tests run tasks immediately
    assert analysis.owner == owner and analysis.source == "history_kv.log, event_v8.log"
    assert analysis.upload_dir == "" and list(upload_root.iterdir()) == []
    page = client.get(analysis.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "KB-0006" in html and "KB-0007" in html and "<svg" in html
    assert "Frequent messages the KB does not explain" in html
    assert 'style="' not in html  # CSP: no inline styles


def test_gzip_upload(client, guide, owner, upload_root, upload, post):
    login(client, owner)
    packed = SimpleUploadedFile("elog.log.gz", gzip.compress((FIXTURES / "event_v8.log").read_bytes()))
    post(client, {"files": [packed]})
    assert LogAnalysis.objects.get().summary["lines"] == 6


def test_paste(client, guide, owner, upload_root, post):
    login(client, owner)
    text = (FIXTURES / "event_v8.log").read_text()
    response = post(client, {"text": text, "mask": "on"})
    analysis = LogAnalysis.objects.get()
    assert response.status_code == 302
    assert analysis.source == "pasted text" and analysis.masked
    assert {p["kb"] for p in analysis.summary["problems"]} == {"KB-0006", "KB-0007", "KB-0008"}
    assert "ivy@" not in str(analysis.details) and "***@example.com" in str(analysis.details)


def test_nothing_given(client, guide, owner, upload_root):
    login(client, owner)
    response = client.post(reverse("logs:index"), {"text": "  "})
    assert response.status_code == 400
    assert "Choose a log file or paste some log lines." in response.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02PK\x03\x04" * 100, "binary file"),
        (gzip.compress(b"date=2026-11-28 time=10:00:00 log_id=1\n" * 20000)[:200], "broken or truncated"),
    ],
)
def test_hostile_upload_is_a_clear_message(client, guide, owner, upload_root, content, message, post):
    login(client, owner)
    post(client, {"files": [SimpleUploadedFile("x.log", content)]})
    analysis = LogAnalysis.objects.get()
    assert analysis.status == LogAnalysis.Status.FAILED and message in analysis.error
    page = client.get(analysis.get_absolute_url())
    assert page.status_code == 200 and message in page.content.decode()
    assert list(upload_root.iterdir()) == []


def test_too_large(client, guide, owner, upload_root, settings, upload):
    settings.LOG_MAX_UPLOAD_BYTES = 100
    login(client, owner)
    response = upload(client, "history_kv.log")
    assert response.status_code == 413 and "larger than" in response.content.decode()
    assert not LogAnalysis.objects.exists() and list(upload_root.iterdir()) == []


def test_progress_partial_while_running(client, owner):
    login(client, owner)
    analysis = LogAnalysis.objects.create(
        owner=owner,
        source="big.log",
        status=LogAnalysis.Status.RUNNING,
        bytes_total=1000,
        bytes_read=250,
        lines_read=1234,
    )
    analysis.started_at = analysis.created
    analysis.save()
    response = client.get(analysis.get_absolute_url(), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert '<progress id="analysis-bar" max="100" value="25">' in html
    assert "1234 lines read" in html and "every 1s" in html
    assert "no-store" in response["Cache-Control"] and "HX-Request" in response["Vary"]
    page = client.get(analysis.get_absolute_url()).content.decode()
    assert '<noscript><meta http-equiv="refresh"' in page  # works without JavaScript


def test_finished_partial_refreshes_the_page(client, owner):
    login(client, owner)
    analysis = LogAnalysis.objects.create(owner=owner, source="a.log", status=LogAnalysis.Status.DONE)
    response = client.get(analysis.get_absolute_url(), headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"


def test_permissions(client, guide, owner, other_admin, helpdesk, ticket, admin, upload_root, upload):
    login(client, owner)
    upload(client, "history_kv.log")
    analysis = LogAnalysis.objects.get()
    url = analysis.get_absolute_url()
    assert login(Client(), other_admin).get(url).status_code == 404
    assert login(Client(), helpdesk).get(url).status_code == 200
    assert login(Client(), admin).get(url).status_code == 404
    analysis.ticket = ticket  # the ticket's requester may see what is attached to it
    analysis.save()
    assert login(Client(), admin).get(url).status_code == 200
    assert login(Client(), other_admin).get(url).status_code == 404


def test_session_on_request(client, guide, owner, upload_root, upload):
    login(client, owner)
    upload(client, "history_kv.log")
    analysis = LogAnalysis.objects.get()
    response = client.get(reverse("logs:session", args=[analysis.pk]), {"id": "5ASA0001-5ASA0001"})
    assert response.status_code == 200 and "bob@example.com" in response.content.decode()
    missing = client.get(reverse("logs:session", args=[analysis.pk]), {"id": "nope"})
    assert missing.status_code == 404


def test_attach_to_ticket_and_ticket_shows_it(client, guide, admin, ticket, other_admin, upload_root, upload):
    login(client, admin)
    upload(client, "history_kv.log")
    analysis = LogAnalysis.objects.get()
    page = client.get(analysis.get_absolute_url()).content.decode()
    assert f'<option value="{ticket.pk}"' in page
    response = client.post(reverse("logs:attach", args=[analysis.pk]), {"ticket": str(ticket.pk)})
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    analysis.refresh_from_db()
    assert analysis.ticket == ticket
    ticket_page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Log analyses" in ticket_page and "KB-0006" in ticket_page and "<svg" in ticket_page
    assert reverse("kb:article_by_number", args=[6]) in ticket_page


def test_attach_refuses_a_ticket_not_visible(client, guide, owner, other_admin, upload_root, roles, upload):
    from tickets import services as ticket_services

    theirs = ticket_services.create_ticket(other_admin, title="Theirs", description="x")
    login(client, owner)
    upload(client, "history_kv.log")
    analysis = LogAnalysis.objects.get()
    for value in (str(theirs.pk), "١", "99999999999999999999999", "T-"):
        client.post(reverse("logs:attach", args=[analysis.pk]), {"ticket": value})
        analysis.refresh_from_db()
        assert analysis.ticket is None


def test_csrf_enforced(guide, owner, upload_root):
    client = login(Client(enforce_csrf_checks=True), owner)
    response = client.post(reverse("logs:index"), {"text": "x log_id=1"})
    assert response.status_code == 403
    assert not LogAnalysis.objects.exists()


def test_nav_link(client, owner):
    login(client, owner)
    assert reverse("logs:index") in client.get(reverse("kb:home")).content.decode()
