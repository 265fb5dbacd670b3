"""Per-connection database settings from portal/settings.py are in force on every connection."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_connections_are_configured_for_their_database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Search ranks the first matches a scan meets: scans must start at the table's beginning.
            cursor.execute("SHOW synchronize_seqscans")
            assert cursor.fetchone()[0] == "off"
        else:
            cursor.execute("PRAGMA busy_timeout")  # waits for a writer instead of failing at once
            assert cursor.fetchone()[0] == 20_000
