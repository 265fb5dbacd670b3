"""Building mta-probe.pyz: the probe program, the portal's `diagnostics/checks` package (the one definition of
every check) and dnspython, as one Python zip application that runs on Python >= 3.10 with nothing installed."""

from __future__ import annotations

import functools
import shutil
import tempfile
import zipapp
from pathlib import Path

import dns

import diagnostics.checks
import probes.agent

MAIN = '''"""mta-probe: run the portal's checks from this site (see docs/probes.md)."""
import sys

if sys.version_info < (3, 10):
    sys.exit("mta-probe needs Python 3.10 or later.")

from probes.agent.client import main

sys.exit(main())
'''
PACKAGE_DOC = '"""Only what the probe file needs."""\n'


def copy_package(source: Path, destination: Path) -> None:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyi", "py.typed"))


def build(output: Path) -> Path:
    """Write the probe file to `output` and return its path."""
    with tempfile.TemporaryDirectory(prefix="mta-probe-") as work:
        root = Path(work)
        for package in ("diagnostics", "probes"):
            (root / package).mkdir()
            (root / package / "__init__.py").write_text(PACKAGE_DOC)
        copy_package(Path(diagnostics.checks.__file__).parent, root / "diagnostics" / "checks")
        copy_package(Path(probes.agent.__file__).parent, root / "probes" / "agent")
        copy_package(Path(dns.__file__).parent, root / "dns")
        (root / "__main__.py").write_text(MAIN)
        output.parent.mkdir(parents=True, exist_ok=True)
        zipapp.create_archive(root, output, interpreter="/usr/bin/env python3", compressed=True)
    return output


@functools.cache
def probe_file() -> bytes:
    """The probe file's bytes, built once per process (for the download page)."""
    with tempfile.TemporaryDirectory(prefix="mta-probe-") as work:
        return build(Path(work) / "mta-probe.pyz").read_bytes()
