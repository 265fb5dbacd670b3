"""Run by tests/probes/test_without_probes.py with `--ds tests.probes.settings_without_probes`: diagnostics with
the probes app absent (not collected in the normal run). Every check runs on the portal; no "Test from" choice."""

import pytest
from django.apps import apps
from django.contrib.auth.models import User

from diagnostics import vantages
from diagnostics.models import DiagnosticRun, ProtectedDomain

pytestmark = pytest.mark.django_db


def test_diagnostics_run_on_the_portal_without_the_probes_app(client, django_capture_on_commit_callbacks):
    assert not apps.is_installed("probes") and vantages.PLANNERS == []
    domain = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    client.force_login(User.objects.create_superuser("boss"))
    page = client.get("/diagnostics/").content.decode()
    assert "Test from" not in page and "/probes/" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/diagnostics/", {"protected_domain": domain.pk, "checks": ["mx_records"]})
    assert response.status_code == 302
    run = DiagnosticRun.objects.get()
    assert run.state == "finished" and list(run.results.values_list("vantage", flat=True)) == [""]
    assert "Tested from the portal" in client.get(run.get_absolute_url()).content.decode()
    assert client.get("/probes/").status_code == 404 and client.post("/api/probes/poll").status_code == 404
