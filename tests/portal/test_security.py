"""Security headers on every page, and a clean `check --deploy` in production mode."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_pages_carry_a_nonce_csp_without_unsafe_inline(client, guide):
    response = client.get("/kb/8/", follow=True)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()  # the htmx script tag carries it


def test_framing_and_referrer_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_check_deploy_is_clean_in_production_mode():
    dev_only = ("DEBUG", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in dev_only}
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["PORTAL_URL"] = "https://mta-portal.corp.example"  # production's public URL: mails, the SMTP probes' HELO
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_secret_key():
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_no_page_has_inline_scripts_or_styles(client, guide, django_user_model):
    from tickets.models import Ticket

    root = django_user_model.objects.create_superuser("root", "root@example.com", "a-long-password-1")
    ticket = Ticket.objects.create(title="Mail bounces", requester=root)
    client.force_login(root)
    pages = [
        "/",
        "/kb/8/",
        "/search/?q=relay",
        "/symptoms/?symptom=1",
        "/report/",
        "/tickets/",
        f"/tickets/{ticket.pk}/",
        "/tickets/metrics/",
        "/diagnostics/",
        "/accounts/password_change/",
    ]
    for path in pages:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        html = response.content.decode()
        for tag in ("<script", "<style"):
            for chunk in html.split(tag)[1:]:
                opening = chunk.split(">", 1)[0]
                assert "src=" in opening or "nonce=" in opening, (path, f"{tag}{opening}>")
        assert " style=" not in html and " onclick=" not in html, path
