"""Diagnostics works without the probes app (docs/architecture.md, "Boundaries"), in a pytest process of its own
(Django cannot drop an installed app from a running process)."""

from tests.boundaries.own_process import run_pytest


def test_diagnostics_without_the_probes_app():
    result = run_pytest("tests/probes/pages_without_probes.py", "tests.probes.settings_without_probes")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout and "skipped" not in result.stdout
