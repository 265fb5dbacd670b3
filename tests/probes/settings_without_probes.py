"""The portal's settings without the probes app (tests/probes/test_without_probes.py)."""

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "probes"]
# A test database of its own: the suite that starts this one holds test_<name> on PostgreSQL.
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"]["NAME"] = f"test_{DATABASES['default']['NAME']}_without_probes"
