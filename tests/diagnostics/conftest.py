"""Diagnostics fixtures: the loopback servers (tests/servers) and a clean rate-limit cache."""

import pytest
from django.core.cache import cache

from tests.servers.fixtures import diag, dns_server, http_servers, smtp_servers  # noqa: F401


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()
