"""One JSON line per request."""

import json
import logging

import pytest

from portal.logging import JSONFormatter


@pytest.mark.django_db
def test_each_request_is_logged_with_path_status_duration_and_user(client, caplog, django_user_model):
    user = django_user_model.objects.create_user("alice", password="x-long-password-1")
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        client.get("/kb/999/")
    record = next(r for r in caplog.records if r.name == "portal.requests")
    line = json.loads(JSONFormatter().format(record))
    assert line["path"] == "/kb/999/"
    assert line["status"] == 404
    assert line["user_id"] == user.pk
    assert line["duration_ms"] >= 0
    assert line["method"] == "GET"
