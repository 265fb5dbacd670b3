"""Run test files in a pytest process of their own with other settings (Django cannot drop an installed app from a
running process: its models, receivers and panels stay), on the same database engine as this run."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def run_pytest(test_file: str, settings_module: str) -> subprocess.CompletedProcess:
    """pytest on `test_file` with `settings_module` and a fresh test database; the result, output captured."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", test_file, "--ds", settings_module, "--create-db"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
