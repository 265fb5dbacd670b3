"""The article page's end in a real browser, at desktop and phone width: next steps (run the suggested checks,
link to a ticket, copy the link), "Was this helpful?" with and without JavaScript, the print stylesheet, and the
symptom selector's disabled options and "Clear all ticks"."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from diagnostics.models import DiagnosticRun, DomainAdmin, ProtectedDomain
from kb.models import ArticleVote, Symptom
from tests.e2e.conftest import log_in
from tests.servers.fixtures import diag, dns_server, http_servers, smtp_servers  # noqa: F401 - loopback servers
from tickets import services
from tickets.roles import GATEWAY_ADMINS, HELPDESK

WIDTHS = [1280, 390]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"  # ignored by git


def watch_console(page: Page) -> list[str]:
    """Console errors (Chromium reports CSP violations there), CSP violation events and uncaught exceptions."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective))"
    )
    return problems


def assert_fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_vote_swaps_the_form_confirms_in_the_live_region_and_keeps_focus(page: Page, portal, user_in, width):
    page.set_viewport_size({"width": width, "height": 900})
    problems = watch_console(page)
    user_in("hanna", HELPDESK)
    log_in(page, portal, "hanna")
    page.goto(portal + "/kb/6/")
    page.evaluate("window.notReloaded = true")
    vote = page.locator("#article-vote")
    vote.scroll_into_view_if_needed()
    expect(vote.get_by_role("heading", name="Was this helpful?")).to_be_visible()
    vote.get_by_label("Comment (optional)").fill("The greylisting window was not explained.")
    vote.get_by_role("button", name="No", exact=True).click()
    status = page.locator("#vote-status")
    expect(status).to_have_text(re.compile("you said this article was not helpful"))
    expect(status).to_have_attribute("role", "status")
    expect(vote.locator(".vote-current")).to_have_text("Your answer: No. You can change it.")
    expect(page.locator("#vote-no")).to_be_focused()  # the same button, back after the swap
    assert page.evaluate("window.notReloaded") is True
    vote_row = ArticleVote.objects.get()
    assert vote_row.helpful is False and vote_row.comment == "The greylisting window was not explained."

    vote.get_by_role("button", name="Yes, it helped").click()
    expect(status).to_have_text(re.compile("Your answer was changed: you said this article was helpful"))
    expect(vote.locator(".vote-current")).to_contain_text("Yes")
    assert ArticleVote.objects.count() == 1 and ArticleVote.objects.get().helpful is True
    assert_fits(page, width)
    page.screenshot(path=SCREENSHOTS / f"article-vote-{width}px.png", full_page=True)
    assert problems == []


def test_vote_without_javascript_posts_and_comes_back_with_the_message(browser, portal, user_in):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    user_in("hanna", HELPDESK)
    log_in(page, portal, "hanna")
    page.goto(portal + "/kb/1/")
    expect(page.locator("#article-link")).to_be_visible()  # the link to copy by hand
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    page.get_by_role("button", name="Yes, it helped").click()
    expect(page).to_have_url(re.compile(r"/kb/1/[a-z0-9-]+/#vote-heading$"))
    expect(page.locator(".messages")).to_contain_text("you said this article was helpful")
    expect(page.locator(".vote-current")).to_contain_text("Yes")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_copy_link_puts_the_articles_address_on_the_clipboard(page: Page, portal, width):
    page.set_viewport_size({"width": width, "height": 900})
    problems = watch_console(page)
    page.goto(portal + "/kb/1/")
    link = page.locator("#article-link")
    url = link.get_attribute("href")
    assert url.startswith(portal) and "/kb/1/" in url
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url
    expect(page.get_by_role("button", name="Copy link")).to_be_visible(timeout=5000)  # its own label comes back
    assert_fits(page, width)
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_print_shows_the_article_alone_with_code_black_on_white(page: Page, portal, user_in, width):
    page.set_viewport_size({"width": width, "height": 900})
    user_in("hanna", HELPDESK)
    log_in(page, portal, "hanna")
    page.goto(portal + "/kb/8/")
    expect(page.locator(".site-nav")).to_be_visible()
    expect(page.locator("#vote-form")).to_be_visible()
    page.emulate_media(media="print")
    for selector in (".site-header", ".site-nav", ".site-footer", ".breadcrumb", ".next-actions", "#article-vote"):
        expect(page.locator(selector)).to_be_hidden()
    for element in page.locator("main form, main button").all():
        expect(element).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("ol.steps")).to_be_visible()
    colors = page.locator(".cli pre").evaluate(
        "pre => { const s = getComputedStyle(pre); const c = getComputedStyle(pre.querySelector('code'));"
        " return [s.color, s.backgroundColor, c.color]; }"
    )
    assert colors == ["rgb(0, 0, 0)", "rgb(255, 255, 255)", "rgb(0, 0, 0)"]
    body = page.evaluate(
        "[getComputedStyle(document.body).color, getComputedStyle(document.documentElement).backgroundColor]"
    )
    assert body == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
    page.emulate_media(media="screen")
    expect(page.locator(".site-nav")).to_be_visible()


@pytest.mark.usefixtures("diag")  # the checks ask the loopback DNS server
@pytest.mark.parametrize("width", WIDTHS)
def test_gateway_admin_runs_the_articles_checks_on_their_domain(page: Page, portal, user_in, width):
    page.set_viewport_size({"width": width, "height": 900})
    problems = watch_console(page)
    admin = user_in("gary", GATEWAY_ADMINS)
    domain = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    DomainAdmin.objects.create(user=admin, domain=domain)
    log_in(page, portal, "gary")
    page.goto(portal + "/kb/2/")
    checks = page.locator(".next-action-checks")
    expect(checks.get_by_role("heading", name="Run the suggested checks")).to_be_visible()
    expect(checks.get_by_label("Protected domain")).to_have_value(str(domain.pk))  # their only domain
    assert_fits(page, width)
    checks.get_by_role("button", name="Run checks").click()
    expect(page).to_have_url(re.compile(r"/diagnostics/runs/\d+/$"))
    run = DiagnosticRun.objects.get()
    assert run.protected_domain == domain and run.domain == "one.test"
    assert list(run.results.values_list("check_name", flat=True)) == ["mx_records"]
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_helpdesk_links_the_article_to_their_ticket(page: Page, portal, user_in, width):
    page.set_viewport_size({"width": width, "height": 900})
    problems = watch_console(page)
    helpdesk = user_in("hanna", HELPDESK)
    admin = user_in("gary", GATEWAY_ADMINS)
    ticket = services.create_ticket(admin, title="Mail is refused")
    services.update_ticket(ticket, helpdesk, assignee=helpdesk)
    log_in(page, portal, "hanna")
    page.goto(portal + "/kb/1/")
    expect(page.locator(".article-tickets")).to_have_count(0)  # no "Linked in 0 tickets"
    box = page.locator(".next-action-ticket")
    box.get_by_label("Link to one of my tickets").select_option(label=f"{ticket.number} Mail is refused")
    assert_fits(page, width)
    page.screenshot(path=SCREENSHOTS / f"article-next-steps-{width}px.png", full_page=True)
    box.get_by_role("button", name="Link").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/#links-heading$"))
    expect(page.locator(".messages")).to_contain_text(f"KB-0001 linked to {ticket.number}")
    assert ticket.links.get().kb_number == "KB-0001"
    page.goto(portal + "/kb/1/")
    expect(page.locator(".article-tickets")).to_contain_text("Linked in 1 ticket")
    expect(page.locator(".next-action-ticket")).to_contain_text("Open a new ticket with KB-0001")
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_symptom_options_without_articles_are_disabled_and_ticks_clear_at_once(page: Page, portal, width):
    page.set_viewport_size({"width": width, "height": 900})
    problems = watch_console(page)
    page.goto(portal + "/symptoms/")
    expect(page.locator("#symptom-selector input:disabled")).to_have_count(0)
    greylist = Symptom.objects.get(text="451 Try again later")
    page.locator(f"#symptom-{greylist.pk}").check()
    expect(page).to_have_url(re.compile(rf"symptom={greylist.pk}"))
    disabled = page.locator("#symptom-selector input:disabled")
    expect(disabled.first).to_be_disabled()
    assert disabled.count() > 0
    expect(page.locator(f"#symptom-{greylist.pk}")).to_be_enabled()
    page.get_by_role("link", name="Clear all ticks").click()
    expect(page).to_have_url(re.compile(r"/symptoms/$"))
    expect(page.locator("#symptom-selector input:checked")).to_have_count(0)
    expect(page.locator("#symptom-selector input:disabled")).to_have_count(0)
    assert_fits(page, width)
    assert problems == []
