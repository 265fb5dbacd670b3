"""axe-core (vendored, pinned: tests/e2e/vendor/) audits the main pages in Chromium for WCAG 2.1 A and AA, at desktop
and mobile width, including after typing a query and the forms' error states; each audited page is also saved as a
screenshot (test-results/screenshots/) for review."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from diagnostics.checks import Target
from diagnostics.models import DomainAdmin, ProtectedDomain
from diagnostics.services import run_checks_now
from tests.e2e.conftest import log_in
from tests.servers.fixtures import diag, dns_server, http_servers, smtp_servers  # noqa: F401 - loopback servers
from tickets import services
from tickets.roles import GATEWAY_ADMINS, HELPDESK

AXE_VERSION = "4.14.1"
AXE = Path(__file__).parent / "vendor" / f"axe-{AXE_VERSION}.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "mobile"])


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page as it is now; returns its WCAG 2.1 A/AA violations."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the browser tooling: no CSP exception needed
    assert page.evaluate("axe.version") == AXE_VERSION
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:160]}")
            lines.append("      " + node.get("failureSummary", "").replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.fixture
def audit(page: Page, screenshot):
    """`audit(name)`: screenshot the page, then fail with a readable list if axe finds any violation."""

    def check(name: str) -> None:
        screenshot(name)
        violations = axe_violations(page)
        assert not violations, f"axe-core: WCAG 2.1 A/AA violations on {name} ({page.url}):\n{describe(violations)}"

    return check


def test_the_audit_finds_a_violation_and_says_where(page: Page, portal):
    """The audit can fail: an image without a text alternative is reported with its rule and element."""
    page.goto(portal + "/")
    page.evaluate("document.querySelector('main').append(Object.assign(document.createElement('img'), {id: 'bare'}))")
    violations = axe_violations(page)
    assert [v["id"] for v in violations] == ["image-alt"]
    assert '["#bare"]' in describe(violations) and "image-alt (critical)" in describe(violations)


@WIDTHS
def test_public_pages_have_no_wcag_violations(page: Page, portal, audit, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(portal + "/")
    audit("home")
    page.goto(portal + "/search/")
    page.get_by_role("searchbox").press_sequentially("relay access denied", delay=10)
    expect(page.locator("#search-results .result h3").first).to_contain_text("KB-0001")
    audit("search-typed")
    page.goto(portal + "/search/?q=" + "550+5.7.1+Relay+access+denied+for+user%40example.com")
    audit("search-pasted-bounce")
    page.goto(portal + "/search/?q=zzqxv")
    audit("search-no-result")
    page.goto(portal + "/kb/2/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("bypassed")
    audit("article")
    page.goto(portal + "/symptoms/")
    page.locator("#symptom-selector input[type=checkbox]").first.check()
    expect(page).to_have_url(re.compile(r"symptom="))
    audit("symptoms-ticked")
    page.goto(portal + "/accounts/login/")
    audit("login")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".errorlist, .message-error").first).to_be_visible()
    audit("login-error")


@WIDTHS
@pytest.mark.usefixtures("diag")  # DIAG_* settings point the checks at the loopback servers
def test_helpdesk_pages_have_no_wcag_violations(page: Page, portal, user_in, audit, width, height):
    admin = user_in("gary", GATEWAY_ADMINS)
    user_in("hanna", HELPDESK)
    domain = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    DomainAdmin.objects.create(user=admin, domain=domain)
    ticket = services.create_ticket(admin, title="Mail to partners is deferred", domain=domain)
    run = run_checks_now(Target("one.test", ("mx.gw.test",)), ["mx_records", "dnsbl_latency"])
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, portal, "hanna")

    page.goto(portal + "/tickets/")
    audit("tickets")
    page.goto(portal + ticket.get_absolute_url())
    audit("ticket")
    page.goto(portal + "/tickets/new/")
    audit("new-ticket")
    page.get_by_role("button", name="Open ticket").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields")
    audit("new-ticket-errors")
    page.goto(portal + "/tickets/metrics/")
    audit("metrics")
    page.goto(portal + "/diagnostics/")
    audit("diagnostics")
    page.get_by_label("Or any domain").fill("not a domain")
    page.get_by_role("button", name="Run checks").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    audit("diagnostics-errors")
    page.goto(portal + run.get_absolute_url())
    expect(page.locator("#check-mx_records .badge-pass")).to_be_visible()
    audit("run")
    page.goto(portal + "/diagnostics/history/one.test/")
    audit("history")


@WIDTHS
def test_report_form_and_its_error_state_have_no_wcag_violations(page: Page, portal, user_in, audit, width, height):
    admin = user_in("gary", GATEWAY_ADMINS)
    DomainAdmin.objects.create(user=admin, domain=ProtectedDomain.objects.create(name="one.test"))
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, portal, "gary")
    page.goto(portal + "/report/")
    page.get_by_label("Bounce messages or log lines").fill("451 4.7.1 Try again later")
    expect(page.locator("#suggestions")).to_contain_text("KB-0006")
    audit("report-suggestions")
    page.get_by_role("button", name="Submit ticket").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields")
    audit("report-errors")
