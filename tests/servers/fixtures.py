"""Pytest fixtures for the loopback servers; import them into a conftest.py to use them.

`diag` applies DIAG_* settings pointing at these servers (timeout 1 s, 127.0.0.0/8 allowed) and parses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from diagnostics.checks.config import DiagConfig, parse_config
from tests.servers.dns import LoopbackDNS
from tests.servers.http import LoopbackHTTP
from tests.servers.smtp import LoopbackSMTP

HELO_NAME = "portal.diag.test"


@pytest.fixture(scope="session")
def dns_server():
    with LoopbackDNS() as server:
        yield server


@pytest.fixture(scope="session")
def smtp_servers():
    with LoopbackSMTP() as servers:
        yield servers


@pytest.fixture(scope="session")
def http_servers(tmp_path_factory):
    with LoopbackHTTP(tmp_path_factory.mktemp("tls")) as servers:
        yield servers


@dataclass
class Diag:
    """The loopback servers plus the settings that point the checks at them."""

    dns: LoopbackDNS
    http: LoopbackHTTP
    smtp: LoopbackSMTP
    settings: Any

    def raw(self) -> dict[str, str]:
        return {
            "DIAG_NAMESERVERS": self.dns.address,
            "DIAG_FORTIGUARD_URLS": self.http.url("/ok"),
            "DIAG_DNSBL_ZONES": "good.bl.test",
            "DIAG_URIBL_ZONES": "good.uri.test",
            "DIAG_TIMEOUT": "1",
            "DIAG_ALLOW_PRIVATE": "127.0.0.0/8,::1/128",
            "DIAG_SMTP_PORT": str(self.smtp.port),
            "DIAG_DNSBL_WARN": "0.2",
            "DIAG_TLS_CA_FILE": "",
            "DIAG_HELO_NAME": HELO_NAME,
        }

    def configure(self, **overrides: str) -> DiagConfig:
        """Set the DIAG_* settings (defaults above, then `overrides`) and return them parsed."""
        raw = {**self.raw(), **overrides}
        for name, value in raw.items():
            setattr(self.settings, name, value)
        return parse_config(raw)


@pytest.fixture
def diag(settings, dns_server, http_servers, smtp_servers) -> Diag:
    helper = Diag(dns_server, http_servers, smtp_servers, settings)
    helper.configure()
    return helper
