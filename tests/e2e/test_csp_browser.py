"""The Content-Security-Policy guard of every browser test (tests/e2e/conftest.py) sees violations: an inline style
and an inline script provoked on purpose are collected, from the page's event and from the console."""

from playwright.sync_api import Page


def test_inline_style_and_script_are_collected_as_violations(page: Page, portal, csp_violations):
    page.goto(portal + "/")
    assert csp_violations == []  # the portal's own page has none
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p id=styled style=\"color: red\">x</p>')")
    script = "const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s);"
    page.evaluate(f"() => {{ {script} }}")
    page.wait_for_function("document.getElementById('styled')")
    page.wait_for_timeout(200)  # the events reach Python asynchronously
    assert page.evaluate("window.ran") is None  # the policy blocked the script
    events = [v for v in csp_violations if v.startswith("event: ")]
    console = [v for v in csp_violations if v.startswith("console: ")]
    assert any(v.startswith("event: style-src-attr blocked inline") for v in events), csp_violations
    assert any(v.startswith("event: script-src-elem blocked inline") for v in events), csp_violations
    assert any("Content Security Policy" in v for v in console), csp_violations
    csp_violations.clear()  # provoked on purpose: the guard must not fail this test


def test_a_page_load_after_navigation_is_still_watched(page: Page, portal, csp_violations):
    page.goto(portal + "/")
    page.goto(portal + "/search/?q=relay")  # the listener is installed again in every new document
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<i style=\"color: red\">x</i>')")
    page.wait_for_timeout(200)
    assert any(v.startswith("event: style-src-attr") for v in csp_violations), csp_violations
    csp_violations.clear()
