"""Diagnostic runs are seen only by who may see them now: on their page, on a ticket, and when attached.

A gateway admin sees the runs of the domains they administer today; the helpdesk sees every run. A run goes on a
ticket only if the ticket's requester may see it, since they read it there.
"""

import pytest
from django.template import Context, Template

from diagnostics.models import DiagnosticRun, DomainAdmin, ProtectedDomain
from diagnostics.services import create_run
from tickets import runs

pytestmark = pytest.mark.django_db

SECRET_SUMMARY = "mx1.internal.example answered 550"


def finished_run(domain, user=None, summary=SECRET_SUMMARY):
    run = create_run(domain.target(), ["mx_records"], protected_domain=domain, user=user)
    run.results.update(status="fail", summary=summary)
    DiagnosticRun.objects.filter(pk=run.pk).update(state="finished", status="fail")
    return run


@pytest.fixture
def theirs(other_admin):
    domain = ProtectedDomain.objects.create(name="theirs.example", gateway_hosts="mx.theirs.example")
    DomainAdmin.objects.create(user=other_admin, domain=domain)
    return domain


def remove_from_domain(admin, domain):
    DomainAdmin.objects.filter(user=admin, domain=domain).delete()


def test_a_removed_admin_cannot_attach_new_runs_of_the_domain(client, admin, helpdesk, ticket, domain):
    remove_from_domain(admin, domain)
    run = finished_run(domain, user=helpdesk)  # started by the helpdesk after the removal
    client.force_login(admin)
    assert run not in client.get(ticket.get_absolute_url()).context["attach_form"].fields["run"].queryset
    client.post(f"/tickets/{ticket.pk}/runs/attach/", {"run": run.pk})
    assert not ticket.attached_runs.exists()
    assert client.post("/tickets/attach-run/", {"run": run.pk, "ticket": ticket.pk}).status_code == 403
    assert not ticket.attached_runs.exists()


def test_a_removed_admin_no_longer_reads_runs_attached_to_their_ticket(client, admin, helpdesk, ticket, domain):
    run = finished_run(domain, user=admin)
    runs.attach(ticket, admin, run)
    client.force_login(admin)
    assert SECRET_SUMMARY in client.get(ticket.get_absolute_url()).content.decode()
    assert client.get(run.get_absolute_url()).status_code == 200

    remove_from_domain(admin, domain)
    page = client.get(ticket.get_absolute_url()).content.decode()
    partial = client.get(f"/tickets/{ticket.pk}/runs/").content.decode()
    for html in (page, partial):
        assert SECRET_SUMMARY not in html and run.get_absolute_url() not in html
        assert "1 attached run on a domain you do not administer is not shown" in html
    assert client.get(run.get_absolute_url()).status_code == 404  # not even the run they started themselves
    client.force_login(helpdesk)  # the helpdesk still sees it on the ticket
    assert SECRET_SUMMARY in client.get(ticket.get_absolute_url()).content.decode()


def test_the_helpdesk_cannot_attach_another_customers_run(client, helpdesk, admin, ticket, theirs):
    foreign = finished_run(theirs, user=helpdesk)  # the helpdesk's own run, on someone else's domain
    client.force_login(helpdesk)
    assert foreign not in client.get(ticket.get_absolute_url()).context["attach_form"].fields["run"].queryset
    client.post(f"/tickets/{ticket.pk}/runs/attach/", {"run": foreign.pk})
    assert not ticket.attached_runs.exists()
    assert client.post("/tickets/attach-run/", {"run": foreign.pk, "ticket": ticket.pk}).status_code == 403
    assert not ticket.attached_runs.exists()
    client.force_login(admin)
    assert SECRET_SUMMARY not in client.get(ticket.get_absolute_url()).content.decode()


def test_the_helpdesk_still_attaches_runs_the_requester_may_see(client, helpdesk, ticket, domain):
    run = finished_run(domain, user=helpdesk)
    client.force_login(helpdesk)
    client.post(f"/tickets/{ticket.pk}/runs/attach/", {"run": run.pk})
    assert [a.run for a in ticket.attached_runs.all()] == [run]


def test_the_attach_service_refuses_a_run_the_requester_may_not_see(helpdesk, ticket, theirs):
    with pytest.raises(runs.NotVisible):
        runs.attach(ticket, helpdesk, finished_run(theirs))
    assert not ticket.attached_runs.exists()


def test_the_run_page_offers_only_tickets_whose_requester_may_see_the_run(rf, helpdesk, ticket, other_ticket, theirs):
    run = finished_run(theirs, user=helpdesk)
    request = rf.get(run.get_absolute_url())
    request.user = helpdesk
    template = Template('{% load panels %}{% panels "diagnostics.run" run %}')
    html = template.render(Context({"request": request, "run": run}))
    assert f'<option value="{other_ticket.pk}">' in html  # filed by theirs.example's admin
    assert f'<option value="{ticket.pk}">' not in html  # filed by example.com's admin


def test_no_run_starts_on_a_ticket_whose_requester_left_the_domain(client, helpdesk, admin, ticket, domain):
    remove_from_domain(admin, domain)
    client.force_login(helpdesk)
    html = client.post(f"/tickets/{ticket.pk}/runs/start/", {"checks": ["mx_records"]}).content.decode()
    assert "gary no longer administers example.com" in html
    assert not DiagnosticRun.objects.exists() and not ticket.attached_runs.exists()


def test_visibility_rule_matches_as_query_and_per_run(helpdesk, admin, other_admin, editor, domain, theirs):
    run = finished_run(domain, user=admin)
    assert set(run.viewers()) == {helpdesk, admin}
    assert [u for u in (helpdesk, admin, other_admin, editor) if run.is_visible_to(u)] == [helpdesk, admin]
    assert list(DiagnosticRun.objects.visible_to(other_admin)) == []
    remove_from_domain(admin, domain)
    assert not run.is_visible_to(admin) and admin not in run.viewers()
    assert list(DiagnosticRun.objects.visible_to(admin)) == []
