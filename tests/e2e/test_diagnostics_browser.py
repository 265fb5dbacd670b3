"""Diagnostics in a real browser when the portal's own resolver is unreachable: the page says the portal cannot
test from here, apart from the customer's results, instead of blaming the domain."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from diagnostics.models import ProtectedDomain
from tests.servers.fixtures import diag, dns_server, http_servers, smtp_servers  # noqa: F401 - loopback servers
from tickets.roles import HELPDESK, ensure_groups

PASSWORD = "correct-horse-battery"


@pytest.fixture
def helpdesk(portal, settings, django_user_model):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_groups()  # the live server's database is flushed between tests
    user = django_user_model.objects.create_user("hana", "hana@example.com", PASSWORD)
    user.groups.add(Group.objects.get(name=HELPDESK))
    return user


def log_in(page: Page, portal: str) -> None:
    page.goto(portal + "/accounts/login/")
    page.get_by_label("Username").fill("hana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile("Log out hana"))).to_be_visible()


def run_checks(page: Page, portal: str, domain: str) -> None:
    page.goto(portal + "/diagnostics/")
    page.get_by_label("Protected domain").select_option(label=domain)
    page.get_by_role("button", name="Run checks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Diagnostics for {domain}")


def test_unreachable_resolver_shows_the_vantage_banner_not_a_customer_failure(page: Page, portal, helpdesk, diag):  # noqa: F811
    diag.configure(DIAG_NAMESERVERS=diag.dns.silent_address)  # a loopback port nothing answers on
    ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    log_in(page, portal)
    run_checks(page, portal, "one.test")

    banner = page.get_by_role("alert").filter(has_text="The portal cannot test from here")
    expect(banner).to_be_visible(timeout=10_000)
    expect(banner.get_by_role("heading", name="The portal cannot test from here")).to_be_visible()
    expect(banner).to_contain_text(f"Its resolver {diag.dns.silent_address} does not answer")
    expect(banner).to_contain_text("What to do: Fix DIAG_NAMESERVERS")
    expect(banner).to_contain_text("Not a finding about one.test")

    mx = page.locator("#check-mx_records")
    expect(mx.locator(".badge-error")).to_be_visible()
    expect(mx.locator(".diag-summary")).to_contain_text("The portal cannot test from here")
    expect(mx).not_to_contain_text("does not reach the FortiMail")
    expect(mx.locator(".badge-fail")).to_have_count(0)


def test_working_resolver_shows_no_banner(page: Page, portal, helpdesk, diag):  # noqa: F811
    ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    log_in(page, portal)
    run_checks(page, portal, "one.test")
    expect(page.locator("#check-mx_records .badge-pass")).to_be_visible(timeout=10_000)
    expect(page.locator("#vantage")).to_have_count(0)


def fits(page: Page) -> bool:
    scroll, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return scroll <= viewport


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "mobile"])
def test_typed_domain_with_the_default_checks_runs_what_it_can_and_history_runs_it_again(
    page: Page,
    portal,
    helpdesk,
    diag,  # noqa: F811
    screenshot,
    width,
    height,
):
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, portal)
    page.goto(portal + "/diagnostics/")
    boxes = page.locator("input[name=checks]")
    expect(boxes).to_have_count(5)
    for index in range(5):
        expect(boxes.nth(index)).to_be_checked()  # the default: every check
    page.get_by_label("Or any domain").fill("one.test")
    screenshot("form")
    page.get_by_role("button", name="Run checks").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Diagnostics for one.test")
    expect(page.locator("#check-mx_records .badge-pass")).to_be_visible(timeout=10_000)
    expect(page.locator("#results-heading .badge")).not_to_have_text(re.compile("Queued|Running", re.I), timeout=10_000)
    expect(page.locator(".diag-result")).to_have_count(3)
    skipped = page.locator("#skipped-checks")
    expect(skipped).to_contain_text("SMTP recipient verification: needs a protected domain with an SMTP server")
    expect(skipped).to_contain_text("Relay denied: needs a protected domain with a gateway")
    screenshot("run")
    assert fits(page)

    page.get_by_role("link", name="History for one.test").click()
    expect(page.locator(".diag-table tbody tr")).to_have_count(1)
    assert fits(page)
    page.get_by_role("button", name="Run now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diagnostics for one.test")
    expect(page.locator(".diag-result")).to_have_count(3)
    page.get_by_role("link", name="History for one.test").click()
    expect(page.locator(".diag-table tbody tr")).to_have_count(2)
    screenshot("history")
    assert fits(page)


def test_a_kb_editor_is_told_they_cannot_run_checks_instead_of_a_broken_form(page: Page, portal, helpdesk, screenshot):
    from django.contrib.auth import get_user_model

    from tickets.roles import KB_EDITORS

    editor = get_user_model().objects.create_user("ed", "ed@example.com", PASSWORD)
    editor.groups.add(Group.objects.get(name=KB_EDITORS))
    page.goto(portal + "/accounts/login/")
    page.get_by_label("Username").fill("ed")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Diagnostics")).to_have_count(0)
    page.goto(portal + "/diagnostics/")
    expect(page.locator("#run-not-allowed")).to_contain_text("Your account cannot start diagnostic checks")
    expect(page.locator("select, input[name=checks]")).to_have_count(0)
    expect(page.get_by_role("button", name="Run checks")).to_have_count(0)
    screenshot("diagnostics")
