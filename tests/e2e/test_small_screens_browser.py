"""Layout at phone (390 px) and desktop (1280 px) width in Chromium: no page is wider than the viewport, search
results come before the (collapsible) symptom selector, the report form's suggestions come before its Submit
button, and a code block's copy button covers no code."""

import re

import pytest
from playwright.sync_api import Page, expect

from diagnostics.models import DomainAdmin, ProtectedDomain
from tests.e2e.conftest import log_in
from tickets import services
from tickets.roles import GATEWAY_ADMINS, HELPDESK

WIDTHS = pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "mobile"])


def assert_fits(page: Page) -> None:
    """Nothing on the page is wider than the viewport (no sideways scrolling)."""
    scroll, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= viewport, f"{page.url} is {scroll} px wide in a {viewport} px viewport"


def top(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box, f"{selector} is not displayed"
    return box["y"]


@WIDTHS
def test_search_results_come_before_the_collapsible_symptom_selector(page: Page, portal, screenshot, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(portal + "/search/")
    page.get_by_role("searchbox").press_sequentially("greylisting", delay=10)
    first = page.locator("#search-results .result h3").first
    expect(first).to_contain_text("KB-0006")
    screenshot("search")
    assert_fits(page)
    panel = page.locator("details.symptom-panel")
    expect(panel).to_have_attribute("open", "")
    if width < 600:  # one column: the results first, within the first screen
        assert top(page, "#search-results .result") < top(page, "details.symptom-panel")
        assert top(page, "#search-results .result") < height
    else:  # two columns: the selector beside the results
        assert panel.bounding_box()["x"] < first.bounding_box()["x"]
        assert abs(top(page, "details.symptom-panel") - top(page, "#search-status")) < 40
    page.locator("details.symptom-panel > summary").click()  # the summary collapses it
    expect(panel).not_to_have_attribute("open", "")
    expect(page.locator("#symptom-selector input[type=checkbox]").first).to_be_hidden()
    page.get_by_role("searchbox").fill("greylisting 451")  # new results keep it collapsed
    expect(page).to_have_url(re.compile(r"q=greylisting(\+|%20)451"))
    expect(page.locator("#search-status")).to_contain_text("451")
    expect(panel).not_to_have_attribute("open", "")


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_symptom_selector_collapses_and_ticks_without_javascript(page: Page, portal):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(portal + "/symptoms/")
    panel = page.locator("details.symptom-panel")
    page.locator("details.symptom-panel > summary").click()
    expect(panel).not_to_have_attribute("open", "")
    page.locator("details.symptom-panel > summary").click()
    page.locator("#symptom-selector input[type=checkbox]").first.check()
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"symptom=\d+"))
    expect(page.locator("#search-results .result").first).to_be_visible()
    assert top(page, "#search-results .result") < top(page, "details.symptom-panel")


@WIDTHS
def test_report_suggestions_come_before_submit(page: Page, portal, user_in, screenshot, width, height):
    admin = user_in("gary", GATEWAY_ADMINS)
    DomainAdmin.objects.create(user=admin, domain=ProtectedDomain.objects.create(name="one.test"))
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, portal, "gary")
    page.goto(portal + "/report/")
    page.get_by_label("Bounce messages or log lines").fill("451 4.7.1 Try again later")
    expect(page.locator("#suggestions")).to_contain_text("KB-0006")
    screenshot("report")
    assert_fits(page)
    submit = page.get_by_role("button", name="Submit ticket")
    if width < 600:
        assert top(page, "#suggestions") < submit.bounding_box()["y"]
    else:  # beside the form
        assert page.locator("#suggestions").bounding_box()["x"] > submit.bounding_box()["x"]
    page.get_by_label("Summary").fill("Mail from partners is deferred")
    submit.click()  # the button sits outside the <form> element and still submits it
    expect(page.get_by_role("heading", level=1)).to_have_text("Mail from partners is deferred")


@WIDTHS
def test_ticket_list_and_metrics_fit_the_viewport(page: Page, portal, user_in, screenshot, width, height):
    admin = user_in("gary_with_a_long_user_name", GATEWAY_ADMINS)
    domain = ProtectedDomain.objects.create(name="mail.a-rather-long-customer-domain.example")
    for n in range(3):
        services.create_ticket(admin, title=f"Deferred mail to partners, case {n}", domain=domain)
    user_in("hanna", HELPDESK)
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, portal, "hanna")
    page.goto(portal + "/tickets/")
    expect(page.locator(".ticket-table tbody tr")).to_have_count(3)
    screenshot("tickets")
    assert_fits(page)
    cell = page.locator(".ticket-table tbody tr").first.locator("td").nth(2)  # the status
    if width < 600:  # stacked: each value says which column it is
        label = page.evaluate("td => getComputedStyle(td, '::before').content", cell.element_handle())
        assert label == '"Status"'
    page.goto(portal + "/tickets/metrics/")
    screenshot("metrics")
    assert_fits(page)


@WIDTHS
def test_copy_button_covers_no_code(page: Page, portal, screenshot, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(portal + "/kb/8/")
    button = page.locator(".cli .copy-button").first
    expect(button).to_be_visible()
    code = button.locator("xpath=..").locator("pre")
    text_top = page.evaluate(
        """pre => { const range = document.createRange(); range.selectNodeContents(pre);
                    return range.getClientRects()[0].top; }""",
        code.element_handle(),
    )
    assert button.bounding_box()["y"] + button.bounding_box()["height"] <= text_top + 1
    screenshot("article")
    assert_fits(page)
