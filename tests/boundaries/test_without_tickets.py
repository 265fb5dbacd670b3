"""The knowledge base and diagnostics work without the tickets app (docs/architecture.md, "Boundaries").

Django's app registry cannot drop an app from a running process cleanly (its models, receivers and panels stay),
so tests/boundaries/pages_without_tickets.py runs in a pytest process of its own with `tickets` removed from
INSTALLED_APPS, on the same database engine as this run.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_kb_and_diagnostics_pages_render_without_the_tickets_app():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/boundaries/pages_without_tickets.py"]
        + ["--ds", "tests.boundaries.settings_without_tickets", "--create-db"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout
