"""Tickets in a real browser: a gateway admin reports a problem (suggestions, submit, diagnostics on the loopback
DNS server); a helpdesk user links articles by search and by typing a KB number."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from diagnostics.models import DomainAdmin, ProtectedDomain
from kb.models import Symptom
from tests.servers.fixtures import diag, dns_server, http_servers, smtp_servers  # noqa: F401 - loopback servers
from tickets import services
from tickets.models import Ticket
from tickets.roles import GATEWAY_ADMINS, HELPDESK, ensure_groups

PASSWORD = "correct-horse-battery"


@pytest.fixture
def user_in(portal, settings, django_user_model):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_groups()  # the live server's database is flushed between tests

    def make(name, group):
        user = django_user_model.objects.create_user(name, f"{name}@example.com", PASSWORD)
        user.groups.add(Group.objects.get(name=group))
        return user

    return make


def log_in(page: Page, portal: str, username: str) -> None:
    page.goto(portal + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile(f"Log out {username}"))).to_be_visible()


@pytest.mark.usefixtures("diag")  # DIAG_* settings point the checks at the loopback DNS server
def test_admin_reports_a_problem_and_the_ticket_shows_articles_and_diagnostics(page: Page, portal, user_in):
    admin = user_in("gary", GATEWAY_ADMINS)
    domain = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    DomainAdmin.objects.create(user=admin, domain=domain)
    log_in(page, portal, "gary")
    page.get_by_role("link", name="Report a problem").click()
    greylisting = Symptom.objects.get(text="451 Try again later")
    expect(page.locator(f"#facet-{greylisting.pk}")).to_have_text("2")
    page.get_by_role("checkbox", name=re.compile("The FortiMail unit is bypassed")).check()
    expect(page.locator(f"#facet-{greylisting.pk}")).to_have_text("0")  # counts follow the ticked symptoms
    suggestions = page.locator("#suggestions")
    expect(suggestions).to_contain_text("KB-0002")
    expect(suggestions.get_by_role("button", name="Yes, KB-0002 solved it")).to_be_visible()
    page.get_by_label("Protected domain").select_option(label="one.test")
    page.get_by_label("Summary").fill("Spam reaches users unscanned")
    page.get_by_label("Describe the problem").fill("Some mail skips the gateway.")
    page.get_by_role("button", name="Submit ticket").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Spam reaches users unscanned")
    links = page.locator("section[aria-labelledby=links-heading]")
    expect(links).to_contain_text("KB-0002")
    runs = page.locator("#ticket-runs")
    expect(runs.locator(".run-result")).to_contain_text("mx_records")
    expect(runs.locator(".run-result .badge-pass")).to_be_visible()
    ticket = Ticket.objects.get()
    assert ticket.requester == admin and ticket.attached_runs.get().run.status == "pass"


def test_helpdesk_links_articles_by_search_and_by_kb_number(page: Page, portal, user_in):
    admin = user_in("gary", GATEWAY_ADMINS)
    user_in("hanna", HELPDESK)
    ticket = services.create_ticket(admin, title="Clients see a relay error")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, portal, "hanna")
    page.goto(portal + ticket.get_absolute_url())
    page.get_by_label("Find an article to link").fill("relay access")
    page.get_by_role("button", name="Link KB-0001").click()
    links = page.locator("section[aria-labelledby=links-heading]")
    expect(links.get_by_role("link", name=re.compile("KB-0001"))).to_be_visible()

    page.get_by_role("textbox", name="Comment").fill("Greylisting too, see KB-0006.")
    page.get_by_role("button", name="Add comment").click()
    expect(links.get_by_role("link", name=re.compile("KB-0006"))).to_be_visible()
    comment_link = page.locator(".timeline .event-reply").get_by_role("link", name="KB-0006")
    expect(comment_link).to_have_attribute("href", "/kb/6/")
    assert set(ticket.links.values_list("kb_number", flat=True)) == {"KB-0001", "KB-0006"}
    assert errors == []  # no script errors, no Content-Security-Policy violations


def test_attached_run_results_update_live_while_running(page: Page, portal, user_in):
    from diagnostics.models import DiagnosticRun
    from diagnostics.services import create_run
    from tickets.runs import attach

    admin = user_in("gary", GATEWAY_ADMINS)
    helpdesk = user_in("hanna", HELPDESK)
    domain = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    DomainAdmin.objects.create(user=admin, domain=domain)  # a run goes only on tickets whose requester may see it
    ticket = services.create_ticket(admin, title="Waiting for checks", domain=domain)
    run = create_run(domain.target(), ["mx_records"], protected_domain=domain)
    attach(ticket, helpdesk, run)
    log_in(page, portal, "hanna")
    page.goto(portal + ticket.get_absolute_url())
    results = page.locator("#ticket-run-list")
    expect(results.locator(".badge-pending")).to_be_visible()
    run.results.update(status="pass", summary="One MX record, and it reaches the gateway.")
    DiagnosticRun.objects.filter(pk=run.pk).update(state="finished", status="pass")
    expect(results.locator(".run-result .badge-pass")).to_be_visible(timeout=10_000)  # no reload: htmx polled
    expect(results).to_contain_text("One MX record, and it reaches the gateway.")
    expect(results).not_to_have_attribute("hx-trigger", "every 2s")
