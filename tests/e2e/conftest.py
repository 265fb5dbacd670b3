"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live_server.

Outside CI a missing Chromium skips these tests; in CI (CI=true) it fails them.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "permissions": ["clipboard-read", "clipboard-write"]}


@pytest.fixture
def portal(live_server, transactional_db):
    """The live portal with the real guide imported; returns its base URL."""
    from django.conf import settings

    from kb.importer import import_guide

    import_guide(settings.GUIDE_PATH.read_text(encoding="utf-8"))
    return live_server.url


# --- Users of each role and logging in (the live server's database is flushed between tests) -----------------------
PASSWORD = "correct-horse-battery"


@pytest.fixture
def user_in(portal, settings, django_user_model):
    from tickets.roles import ensure_groups

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


# --- Content-Security-Policy: every browser test fails on a violation ---------------------------------------------
# Chromium reports a blocked inline style or script twice: as a `securitypolicyviolation` event in the page and as a
# console error ("... violates the following Content Security Policy directive ..."). Both are collected for every
# page of every test (the `page` fixture below wraps pytest-playwright's), and the test fails when any was seen.

CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}` +
    (event.sample ? ` (${event.sample})` : "")
  );
});
"""


@pytest.fixture
def csp_violations() -> list[str]:
    """The CSP violations seen so far in this test (a test that provokes one on purpose empties the list)."""
    return []


@pytest.fixture
def page(page, csp_violations):
    page.expose_function("reportCspViolation", lambda text: csp_violations.append(f"event: {text}"))
    page.add_init_script(CSP_LISTENER)
    page.on(
        "console",
        lambda message: (
            csp_violations.append(f"console: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    if not page.is_closed():
        page.wait_for_timeout(50)  # let events already raised in the page reach Python
    assert not csp_violations, "Content-Security-Policy violations in the browser:\n" + "\n".join(csp_violations)


# --- Screenshots of the main flows, for a reviewer (test-results/screenshots/, ignored by git) --------------------

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@pytest.fixture
def screenshot(page, request):
    """`screenshot(name)` saves the whole page as screenshots/<test>-<name>-<width>px.png and returns the path."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"] if page.viewport_size else 0
        test = re.sub(r"[^A-Za-z0-9_]+", "-", request.node.name).strip("-")
        path = SCREENSHOTS / f"{test}-{name}-{width}px.png"
        page.screenshot(path=str(path), full_page=True, caret="initial", animations="allow")
        return path

    return take
