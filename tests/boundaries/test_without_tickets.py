"""The knowledge base and diagnostics work without the tickets app (docs/architecture.md, "Boundaries").

Django's app registry cannot drop an app from a running process cleanly (its models, receivers and panels stay),
so tests/boundaries/pages_without_tickets.py runs in a pytest process of its own with `tickets` removed from
INSTALLED_APPS, on the same database engine as this run.
"""

from tests.boundaries.own_process import run_pytest


def test_kb_and_diagnostics_pages_render_without_the_tickets_app():
    result = run_pytest("tests/boundaries/pages_without_tickets.py", "tests.boundaries.settings_without_tickets")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout
