"""Tickets in a real browser: a gateway admin reports a problem (suggestions, submit, diagnostics on the loopback
DNS server); a helpdesk user links articles by search and by typing a KB number."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from diagnostics.checks import REGISTRY
from diagnostics.models import DomainAdmin, ProtectedDomain
from kb.models import Symptom
from tests.e2e.conftest import log_in
from tests.servers.fixtures import diag, dns_server, http_servers, smtp_servers  # noqa: F401 - loopback servers
from tickets import services
from tickets.models import Ticket
from tickets.roles import GATEWAY_ADMINS, HELPDESK


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
    expect(runs.locator(".run-result")).to_contain_text("MX records")
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
    assert errors == [], errors  # no script errors, no Content-Security-Policy violations


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


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"  # ignored by git


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "mobile"])
def test_ticket_actions_keep_scroll_and_focus_and_are_announced(page: Page, portal, user_in, width, height):
    admin = user_in("gary", GATEWAY_ADMINS)
    hanna = user_in("hanna", HELPDESK)
    ticket = services.create_ticket(admin, title="Mail to partners is deferred")
    for n in range(25):  # a long timeline, as on a ticket worked for a while
        services.add_comment(ticket, hanna, f"Checked queue {n}; still deferred.\nMore detail on line two.")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, portal, "hanna")
    page.goto(portal + ticket.get_absolute_url())
    status = page.locator("#ticket-status[role=status]")

    def scroll_y() -> float:
        return page.evaluate("window.scrollY")

    def focused_id() -> str:
        return page.evaluate("document.activeElement && document.activeElement.id")

    # A comment: the timeline grows, the form comes back empty, the page stays where it was.
    body = page.get_by_role("textbox", name="Comment")
    body.scroll_into_view_if_needed()
    body.fill("Partner's server answers 451; greylisting, see KB-0006.")
    before = scroll_y()
    page.locator("#comment-submit").focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Reply added. 1 article linked from it.")
    expect(page.locator(".timeline .event-reply").last).to_contain_text("greylisting")
    expect(body).to_have_value("")
    assert focused_id() == "comment-submit"
    assert abs(scroll_y() - before) < 300  # was: a jump to the bottom of the page
    expect(page.locator("#comment-submit")).to_be_in_viewport()
    page.screenshot(path=SCREENSHOTS / f"ticket-after-comment-{width}.png", caret="initial")

    # Linking an article that is linked already says so; nothing else moves.
    form = page.locator("#link-form")
    form.get_by_label("KB number").fill("KB-0006")
    link_button = form.get_by_role("button", name="Link article")
    link_button.scroll_into_view_if_needed()
    before = scroll_y()
    link_button.click()
    expect(status).to_have_text("KB-0006 was linked already: nothing changed.")
    assert abs(scroll_y() - before) < 50
    form.get_by_label("KB number").fill("KB-0001")
    link_button.click()
    expect(status).to_have_text("KB-0001 linked.")
    expect(page.locator("#ticket-links").get_by_role("link", name=re.compile("KB-0001"))).to_be_visible()
    assert focused_id() == "link-submit" and abs(scroll_y() - before) < 300

    # Saving the unchanged form says so; a change updates the facts at the top.
    save = page.locator("#update-submit")
    save.scroll_into_view_if_needed()
    save.click()
    expect(status).to_contain_text("Nothing changed")
    page.locator("#update-form").get_by_label("Status").select_option("open")
    save.click()
    expect(status).to_have_text("Ticket updated.")
    expect(page.locator("#ticket-facts")).to_contain_text("Open")
    assert focused_id() == "update-submit"
    page.screenshot(path=SCREENSHOTS / f"ticket-after-update-{width}.png", full_page=True, caret="initial")
    assert errors == [], errors  # no script errors, no Content-Security-Policy violations


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "mobile"])
def test_attaching_a_run_and_linking_its_article_keep_the_page(page: Page, portal, user_in, width, height):
    from diagnostics.models import DiagnosticRun
    from diagnostics.services import create_run

    admin = user_in("gary", GATEWAY_ADMINS)
    user_in("hanna", HELPDESK)
    domain = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    DomainAdmin.objects.create(user=admin, domain=domain)
    ticket = services.create_ticket(admin, title="Relay denied for one client", domain=domain)
    runs = []
    for checks, status in ((["mx_records"], "pass"), (["relay_denied"], "fail")):
        run = create_run(domain.target(), checks, protected_domain=domain)
        run.results.update(status=status, summary=f"{checks[0]} {status}", articles=["KB-0001"])
        DiagnosticRun.objects.filter(pk=run.pk).update(state="finished", status=status)
        runs.append(run)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, portal, "hanna")
    page.goto(portal + ticket.get_absolute_url())
    status = page.locator("#ticket-status[role=status]")
    card = page.locator("#ticket-runs")

    for run in runs:  # attach the older run first: the later one then becomes the latest
        card.get_by_label("Attach an existing run").select_option(str(run.pk))
        attach = page.locator("#attach-submit")
        attach.scroll_into_view_if_needed()
        before = page.evaluate("window.scrollY")
        attach.click()
        expect(status).to_have_text(f"Run #{run.pk} attached.")
        assert abs(page.evaluate("window.scrollY") - before) < 300
    latest = card.locator(".ticket-run-latest")
    expect(latest).to_contain_text(f"Run #{runs[1].pk}")
    expect(latest.locator(".run-result strong")).to_have_text(REGISTRY["relay_denied"].label)
    older = card.locator("details.ticket-run-older")
    expect(older).to_have_count(1)
    expect(older.locator(".run-result")).to_be_hidden()  # one line until opened
    assert older.bounding_box()["height"] < 60  # one line (two at 390 px), not the run's whole results
    older.locator("summary").click()
    expect(older.locator(".run-result strong")).to_have_text(REGISTRY["mx_records"].label)

    latest.get_by_role("button", name="Link KB-0001").click()
    expect(status).to_have_text("KB-0001 linked.")
    expect(page.locator("#ticket-links")).to_contain_text("KB-0001")
    expect(page.locator(".timeline")).to_contain_text("linked KB-0001")
    expect(page.locator("#runs-heading")).to_be_focused()  # the button went away with the link: focus stays near
    page.screenshot(path=SCREENSHOTS / f"ticket-runs-{width}.png", full_page=True, caret="initial")
    page.locator("#ticket-links").get_by_role("button", name="Unlink KB-0001").click()
    expect(status).to_have_text("KB-0001 unlinked.")
    expect(page.locator("#links-heading")).to_be_focused()
    assert errors == [], errors  # no script errors, no Content-Security-Policy violations


def test_ticket_actions_work_without_javascript(browser, portal, user_in):
    admin = user_in("gary", GATEWAY_ADMINS)
    user_in("hanna", HELPDESK)
    ticket = services.create_ticket(admin, title="No scripts here")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, portal, "hanna")
    page.goto(portal + ticket.get_absolute_url())
    page.get_by_role("textbox", name="Comment").fill("Works without scripts.")
    page.get_by_role("button", name="Add comment").click()
    event = ticket.events.get(kind="reply")
    assert page.url.endswith(f"{ticket.get_absolute_url()}#event-{event.pk}")
    expect(page.locator(".messages[role=status]")).to_have_text("Reply added.")
    page.locator("#link-form").get_by_label("KB number").fill("KB-0006")
    page.get_by_role("button", name="Link article").click()
    page.locator("#link-form").get_by_label("KB number").fill("KB-0006")
    page.get_by_role("button", name="Link article").click()
    expect(page.locator(".messages[role=status]")).to_have_text("KB-0006 was linked already: nothing changed.")
    assert ticket.links.count() == 1
    context.close()


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "mobile"])
def test_helpdesk_opens_a_ticket_for_a_caller(page: Page, portal, user_in, width, height):
    admin = user_in("gary", GATEWAY_ADMINS)
    user_in("hanna", HELPDESK)
    domain = ProtectedDomain.objects.create(name="one.test")
    DomainAdmin.objects.create(user=admin, domain=domain)
    ProtectedDomain.objects.create(name="other.test")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, portal, "hanna")
    page.goto(portal + "/tickets/")
    page.get_by_role("link", name="Open a ticket for a caller").click()
    page.get_by_label("Requester").select_option(label="gary")
    page.get_by_label("Protected domain").select_option(label="other.test")
    page.get_by_label("Summary").fill("Caller says mail is stuck")
    page.get_by_role("button", name="Open ticket").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#id_domain_error")).to_contain_text("gary is not an administrator of other.test")
    page.get_by_label("Protected domain").select_option(label="one.test")
    page.get_by_role("button", name="Open ticket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Caller says mail is stuck")
    expect(page.locator(".timeline")).to_contain_text("opened the ticket on behalf of gary")
    assert Ticket.objects.get().requester == admin
    refused = [e for e in errors if "status of 400 (Bad Request)" in e]  # Chromium logs the refused form's 400
    assert len(refused) == 1 and [e for e in errors if e not in refused] == [], errors
