"""The real Postfix (and postgrey) for this suite, started once for the package; the suite's own loopback DNS.

Without Postfix installed the suite is skipped, except in CI (CI=true), where it fails: .ci/run installs it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from diagnostics.checks.config import DiagConfig, parse_config
from tests.integration.postfix.server import LAB, LISTENERS, PROBE_HELO, Postfix, installed
from tests.servers.dns import LoopbackDNS

HELO_NAME = PROBE_HELO


def lab_zone() -> str:
    return "\n".join(f"{scenario}.{LAB}. 60 IN A {address}" for address, (scenario, _, _) in LISTENERS.items())


@pytest.fixture(scope="package")
def postfix():
    if problem := installed():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the Postfix suite: {problem}")
        pytest.skip(problem)
    server = Postfix()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="package")
def lab_dns():
    with LoopbackDNS(zone=lab_zone(), slow={}, silent=(), wildcards={}) as server:
        yield server


@pytest.fixture
def lab(postfix, lab_dns) -> Callable[..., DiagConfig]:
    """Settings pointing the checks at Postfix (a callable taking DIAG_* overrides)."""

    def configure(**overrides: str) -> DiagConfig:
        raw = {
            "DIAG_NAMESERVERS": lab_dns.address,
            "DIAG_TIMEOUT": "5",
            "DIAG_ALLOW_PRIVATE": "127.0.0.0/8",
            "DIAG_SMTP_PORT": str(postfix.port),
            "DIAG_HELO_NAME": HELO_NAME,
            **overrides,
        }
        return parse_config(raw)

    return configure
