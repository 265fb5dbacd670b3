"""A helpdesk user in a real browser: home, an article, copy a CLI block, switch firmware."""

import re

from playwright.sync_api import Page, expect


def test_home_has_a_search_box(page: Page, portal):
    page.goto(portal + "/")
    search = page.get_by_role("searchbox", name=re.compile("Search the knowledge base"))
    expect(search).to_be_visible()
    expect(page.get_by_role("heading", name="Categories")).to_be_visible()


def test_open_an_article_from_home(page: Page, portal):
    page.goto(portal + "/")
    page.get_by_role("link", name=re.compile("Scanning bypass")).click()
    page.get_by_role("link", name=re.compile("KB-0002")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The FortiMail unit is bypassed.")
    expect(page.locator("ol.steps > li")).to_have_count(4)


def test_copy_button_puts_the_cli_block_on_the_clipboard(page: Page, portal):
    page.goto(portal + "/kb/8/")
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.get_by_role("button", name="Copied", exact=True)).to_be_visible()
    clipboard = page.evaluate("navigator.clipboard.readText()")
    assert clipboard == "config system fortiguard antispam\nset uri-redirect-lookup disable\nend"


def test_firmware_picker_switches_the_cli_variant(page: Page, portal):
    page.goto(portal + "/kb/8/")
    cli = page.locator(".cli pre")
    expect(cli).to_contain_text("set uri-redirect-lookup disable")
    page.get_by_label("FortiMail firmware").select_option("7.2.7")
    expect(cli).to_contain_text("set url-redirect-lookup disable")
    page.reload()  # remembered in the session
    expect(page.locator(".cli pre")).to_contain_text("set url-redirect-lookup disable")
    expect(page.get_by_label("FortiMail firmware")).to_have_value("7.2.7")
