"""The bounce explainer in a real browser: pasted bounces the KB does not cover, live and without JavaScript."""

import re

import pytest
from playwright.sync_api import Page, expect

# tamingdns.com "552 5.2.2: Mailbox Over Quota", real-world example of Gmail's temporary form
OVER_QUOTA = "452 4.2.2 The email account that you tried to reach is over quota"
# simplefastwebsites.com "554 5.7.1 Client Host Blocked Using Spamhaus" ("What you see")
SPAMHAUS = "554 5.7.1 Service unavailable; Client host [203.0.113.45] blocked using zen.spamhaus.org"
# Exim bounce quoted in github.com/uilicious/inboxkitten issue 82
EXIM_RELAY = (
    "SMTP error from remote mail server after RCPT TO:<face-cake-86@inboxkitten.com>: "
    "host mxa.mailgun.org [34.149.236.64]: 550 5.7.1 Relaying denied"
)


def explanation(page: Page):
    return page.locator("#search-results .explanation")


def test_pasting_an_uncovered_bounce_explains_it_live(page: Page, portal):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(portal + "/search/")
    box = page.get_by_role("searchbox")
    box.focus()
    page.evaluate("text => navigator.clipboard.writeText(text)", OVER_QUOTA)
    page.keyboard.press("Control+V")
    expect(explanation(page)).to_be_visible()
    expect(explanation(page)).to_contain_text("452 4.2.2")
    expect(explanation(page)).to_contain_text("Mailbox full")
    expect(explanation(page).locator(".explanation-permanence")).to_contain_text("Temporary")
    expect(explanation(page).locator(".explanation-side")).to_contain_text(
        "The receiving side: the recipient's mail server"
    )
    expect(page).to_have_url(re.compile(r"/search/\?q=452"))
    # another paste replaces the explanation with the new text's
    box.fill(SPAMHAUS)
    expect(explanation(page)).to_contain_text("554 5.7.1")
    expect(explanation(page).locator(".explanation-permanence")).to_contain_text("Permanent")
    expect(explanation(page).locator(".explanation-side")).to_have_attribute("data-side", "sender")
    box.fill("greylisting")
    expect(page.locator("#search-results .result").first).to_contain_text("KB-0006")
    expect(explanation(page)).to_have_count(0)
    assert violations == []


def test_explanation_stands_above_the_articles_it_did_find(page: Page, portal):
    page.goto(portal + "/search/?q=" + EXIM_RELAY.replace(" ", "+"))
    expect(explanation(page)).to_contain_text("550 5.7.1")
    expect(explanation(page)).to_contain_text("Reported by mxa.mailgun.org")
    expect(explanation(page).locator(".explanation-side")).to_have_attribute("data-side", "gateway")
    first_result = page.locator("#search-results .result").first
    expect(first_result).to_be_visible()
    box_top = explanation(page).bounding_box()["y"]
    assert box_top < first_result.bounding_box()["y"]


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_plain_form_submit_explains_without_javascript(page: Page, portal):
    page.goto(portal + "/search/")
    page.get_by_role("searchbox").fill(OVER_QUOTA)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=452"))
    expect(explanation(page)).to_contain_text("Mailbox full")
    expect(explanation(page).locator(".explanation-permanence")).to_contain_text("Temporary")
