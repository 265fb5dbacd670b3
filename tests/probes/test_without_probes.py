"""Diagnostics works without the probes app (docs/architecture.md, "Boundaries"), in a pytest process of its own
(Django cannot drop an installed app from a running process)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_diagnostics_without_the_probes_app():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/probes/pages_without_probes.py"]
        + ["--ds", "tests.probes.settings_without_probes", "--create-db"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout and "skipped" not in result.stdout
