"""Log analysis in a real browser: upload an export, watch the progress bar, see the problems and their chart,
attach the analysis to a ticket and find it on the ticket's page."""

import re
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from playwright.sync_api import Page, expect

from diagnostics.models import DomainAdmin, ProtectedDomain
from logs import synthetic, tasks
from logs.models import LogAnalysis
from logs.tasks import run_analysis
from tickets import services
from tickets.roles import GATEWAY_ADMINS, ensure_groups

PASSWORD = "correct-horse-battery"


@pytest.fixture
def gary(portal, settings, django_user_model, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOG_UPLOAD_ROOT = str(tmp_path / "uploads")
    # A queue that nobody works: the test starts the analysis itself once the page shows it queued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ensure_groups()
    user = django_user_model.objects.create_user("gary", "gary@example.com", PASSWORD)
    user.groups.add(Group.objects.get(name=GATEWAY_ADMINS))
    domain = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    DomainAdmin.objects.create(user=user, domain=domain)
    return user


def test_upload_progress_result_and_ticket(page: Page, portal, gary, tmp_path, monkeypatch):
    ticket = services.create_ticket(gary, title="Mail is deferred", description="Since Monday")
    export = tmp_path / "alog.log"
    export.write_text("\n".join(synthetic.lines(60_000)) + "\n")

    page.goto(portal + "/accounts/login/")
    page.get_by_label("Username").fill("gary")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Log analysis").click()
    page.get_by_label("Log files").set_input_files(str(export))
    page.get_by_role("button", name="Analyse").click()

    bar = page.locator("#analysis-bar")
    expect(bar).to_be_visible()
    expect(page.locator("#analysis-progress h2")).to_have_text("Queued")
    analysis = LogAnalysis.objects.get()

    # On a quiet machine the whole export is analysed between two polls of the page; the analysis holds after its
    # first progress report until the page has shown it, so the test sees the progress whatever the machine's speed.
    progress_seen = threading.Event()
    analyze_streams = tasks.analyze_streams

    def analyze_held(streams, **kwargs):
        report = kwargs.pop("progress")

        def held(lines: int, bytes_read: int) -> None:
            report(lines, bytes_read)
            progress_seen.wait(60)

        return analyze_streams(streams, progress=held, **kwargs)

    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(tasks, "analyze_streams", analyze_held)

    def work():
        try:
            run_analysis(analysis.pk)
        finally:
            connections.close_all()  # this thread's connection, or the test database cannot be dropped

    worker = threading.Thread(target=work)
    worker.start()
    try:
        # the partial, polled every second, shows lines read and the rate while the analysis runs
        expect(page.locator("#analysis-counters")).to_contain_text(re.compile(r"[1-9]\d* lines read"), timeout=60_000)
        progress_seen.set()
        expect(page.get_by_role("heading", name="KB problems in these logs")).to_be_visible(timeout=120_000)
    finally:
        progress_seen.set()
        worker.join()

    problem = page.locator("#problem-KB-0006")
    expect(problem).to_contain_text("lines in")
    expect(problem.locator("svg rect").first).to_be_attached()
    expect(problem.locator("table.logs-series")).to_be_visible()  # the numbers beside the chart
    expect(page.get_by_role("heading", name="Frequent messages the KB does not explain")).to_be_visible()

    page.get_by_label("Attach to ticket").select_option(str(ticket.pk))
    page.get_by_role("button", name="Attach").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/"))
    panel = page.locator(".logs-ticket-panel")
    expect(panel).to_contain_text("KB-0006")
    expect(panel.locator("svg")).not_to_have_count(0)
    expect(panel.get_by_role("link", name="KB-0006")).to_have_attribute("href", re.compile(r"/kb/6/"))
