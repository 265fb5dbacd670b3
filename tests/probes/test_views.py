"""The probe pages: who sees, enrols and revokes which probes; the download."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import DiagnosticRun
from probes.models import EnrolmentCode, Probe, digest, normalize_code
from tests.probes.conftest import enrolled, make_user

pytestmark = pytest.mark.django_db
LIST, ENROL = reverse("probes:list"), reverse("probes:enrol")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_a_login():
    for url in (LIST, ENROL, reverse("probes:download")):
        assert Client().get(url).status_code == 302


def test_gateway_admin_sees_only_their_domains_probes(gateway_admin, domain, other_domain):
    mine, _ = enrolled(domain)
    theirs, _ = enrolled(other_domain, "branch-fml", "Branch")
    html = logged_in(gateway_admin).get(LIST).content.decode()
    assert f'id="probe-{mine.pk}"' in html and f'id="probe-{theirs.pk}"' not in html
    assert "online" in html and "Revoke" in html and 'href="/probes/"' in html  # navigation link


def test_helpdesk_sees_all_but_cannot_enrol_or_revoke(helpdesk, domain, other_domain):
    mine, _ = enrolled(domain)
    theirs, _ = enrolled(other_domain, "branch-fml", "Branch", seen=False)
    client = logged_in(helpdesk)
    html = client.get(LIST).content.decode()
    assert f'id="probe-{mine.pk}"' in html and f'id="probe-{theirs.pk}"' in html and "offline" in html
    assert "Revoke" not in html and "Enrol a probe" not in html
    assert client.get(ENROL).status_code == 403
    assert client.post(reverse("probes:revoke", args=[mine.pk])).status_code == 403
    mine.refresh_from_db()
    assert not mine.is_revoked


def test_enrolment_code_is_shown_once_and_stored_hashed(gateway_admin, domain):
    client = logged_in(gateway_admin)
    assert client.get(ENROL).status_code == 200
    response = client.post(ENROL, {"domain": domain.pk, "name": "HQ-fml", "site": "HQ"})
    assert response.status_code == 200
    html = response.content.decode()
    row = EnrolmentCode.objects.get()
    code = html.split('<code id="enrolment-code">')[1].split("<")[0]
    assert row.code_hash == digest(normalize_code(code)) and code not in row.code_hash
    assert (row.name, row.site, row.created_by) == ("hq-fml", "HQ", gateway_admin)
    assert f"mta-probe.pyz enroll http://testserver {code}" in html


@pytest.mark.parametrize(
    "data",
    [
        {"name": "bad name!", "site": "HQ"},
        {"name": "hq", "site": ""},
        {"name": "hq", "site": "HQ", "domain": "١"},
        {"name": "hq", "site": "HQ", "domain": "99999999999999999999999"},
    ],
)
def test_bad_enrolment_forms_are_400(gateway_admin, domain, data):
    response = logged_in(gateway_admin).post(ENROL, {"domain": domain.pk, **data})
    assert response.status_code == 400 and not EnrolmentCode.objects.exists()


def test_cannot_enrol_for_a_foreign_domain(gateway_admin, other_domain):
    response = logged_in(gateway_admin).post(ENROL, {"domain": other_domain.pk, "name": "x", "site": "X"})
    assert response.status_code == 400 and not EnrolmentCode.objects.exists()


def test_revoke_own_probe_only(gateway_admin, domain, other_domain):
    mine, _ = enrolled(domain)
    theirs, _ = enrolled(other_domain, "branch-fml", "Branch")
    client = logged_in(gateway_admin)
    assert client.post(reverse("probes:revoke", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("probes:revoke", args=[mine.pk]), follow=True)
    assert "is revoked" in response.content.decode()
    assert Probe.objects.get(pk=mine.pk).is_revoked and not Probe.objects.get(pk=theirs.pk).is_revoked
    assert client.get(reverse("probes:revoke", args=[mine.pk])).status_code == 405


def test_user_without_domains_cannot_enrol(django_user_model):
    user = make_user(django_user_model, "nobody", "gateway-admins")
    client = logged_in(user)
    assert client.get(ENROL).status_code == 403
    assert "Probes" not in client.get(reverse("diagnostics:index")).content.decode().split("</nav>")[0]


def test_download_is_the_probe_file(gateway_admin):
    response = logged_in(gateway_admin).get(reverse("probes:download"))
    assert response.status_code == 200 and response["Content-Disposition"] == 'attachment; filename="mta-probe.pyz"'
    body = response.content
    assert body.startswith(b"#!/usr/bin/env python3\n")
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert "__main__.py" in names and "diagnostics/checks/mx_records.py" in names


@pytest.mark.parametrize(("where", "on_probe"), [("site", True), ("", True), ("portal", False)])
def test_the_run_form_chooses_where_checks_run(
    diag, gateway_admin, domain, where, on_probe, django_capture_on_commit_callbacks
):
    probe, _ = enrolled(domain)
    client = logged_in(gateway_admin)
    assert "Test from" in client.get(reverse("diagnostics:index")).content.decode()
    data = {"protected_domain": domain.pk, "checks": ["mx_records", "fortiguard_egress"], "where": where}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("diagnostics:index"), data)
    assert response.status_code == 302
    run = DiagnosticRun.objects.get()
    places = sorted(run.results.values_list("check_name", "vantage"))
    if on_probe:
        assert places == [("fortiguard_egress", probe.key), ("mx_records", ""), ("mx_records", probe.key)]
        html = client.get(response["Location"]).content.decode()
        assert f'id="check-fortiguard_egress-probe{probe.pk}"' in html and "Running…" in html
    else:
        assert places == [("fortiguard_egress", ""), ("mx_records", "")]


def test_admin_lists_probes_but_adds_none(django_user_model, domain):
    probe, _ = enrolled(domain)
    client = logged_in(django_user_model.objects.create_superuser("boss"))
    assert "hq-fml" in client.get("/admin/probes/probe/").content.decode()
    change = client.get(f"/admin/probes/probe/{probe.pk}/change/")
    assert change.status_code == 200 and probe.key_hash in change.content.decode()  # read-only, never the secret
    assert client.get("/admin/probes/probe/add/").status_code == 403
    assert client.get("/admin/probes/probe/?q=%00").status_code < 500
