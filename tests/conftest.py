"""Shared fixtures: tasks run immediately, static files need no collectstatic, the real guide on demand."""

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def guide(db):
    """The real guide shipped with the project, imported; returns the import report."""
    from django.conf import settings

    from kb.importer import import_guide

    return import_guide(settings.GUIDE_PATH.read_text(encoding="utf-8"))
