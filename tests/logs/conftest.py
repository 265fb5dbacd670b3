"""Fixture files (written from the FortiMail log reference's field lists), users and a ticket for the logs tests."""

from pathlib import Path

import pytest

from tests.tickets.conftest import (  # noqa: F401 - the tickets tests' users, roles and ticket
    PASSWORD,
    _fast_passwords,
    admin,
    domain,
    helpdesk,
    make_user,
    other_admin,
    roles,
    ticket,
)

FIXTURES = Path(__file__).parent / "fixtures"
ALL_FILES = sorted(FIXTURES.glob("*.log"))


@pytest.fixture
def fixture_path():
    return lambda name: FIXTURES / name


@pytest.fixture
def upload_root(settings, tmp_path):
    settings.LOG_UPLOAD_ROOT = str(tmp_path / "uploads")
    return tmp_path / "uploads"
