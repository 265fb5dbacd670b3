"""Diagnostics fixtures: the loopback servers (tests/servers). tests/conftest.py clears the rate-limit cache."""

from tests.servers.fixtures import diag, dns_server, http_servers, smtp_servers  # noqa: F401
