"""Diagnostics on a ticket: run the suggested checks, attach a run, live results, link a failed check's article."""

import pytest

from diagnostics.models import CheckResult, DiagnosticRun, DomainAdmin, ProtectedDomain
from diagnostics.services import create_run
from portal.models import AuditEvent
from tickets import services
from tickets.models import Event

pytestmark = pytest.mark.django_db


def finish(run, status, articles=(), summary="Done."):
    run.results.update(status=status, summary=summary, articles=list(articles))
    DiagnosticRun.objects.filter(pk=run.pk).update(state="finished", status=status)


def test_linked_articles_preselect_their_checks(client, helpdesk, ticket, articles):
    services.link_article(ticket, helpdesk, articles[2])
    client.force_login(helpdesk)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert 'value="mx_records" id="id_checks_0" checked' in html
    assert 'value="relay_denied"' in html and 'value="relay_denied" id="id_checks_4" checked' not in html


def test_run_diagnostics_starts_a_run_on_the_domain_and_attaches_it(client, helpdesk, ticket):
    client.force_login(helpdesk)
    response = client.post(f"/tickets/{ticket.pk}/runs/start/", {"checks": ["mx_records", "relay_denied"]})
    assert response.status_code == 302
    run = ticket.attached_runs.get().run
    assert (run.protected_domain, run.checks, run.requested_by) == (
        ticket.domain,
        ["mx_records", "relay_denied"],
        helpdesk,
    )
    event = ticket.events.get(kind=Event.Kind.RUN)
    assert event.data["run"] == run.pk and event.actor == helpdesk
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert f"Run #{run.pk}" in html and 'hx-trigger="every 2s"' in html  # polls while queued


def test_run_form_errors_are_shown(client, helpdesk, admin, ticket):
    client.force_login(helpdesk)
    html = client.post(f"/tickets/{ticket.pk}/runs/start/", {"checks": ["port_scan"]}).content.decode()
    assert "Select a valid choice" in html
    no_domain = services.create_ticket(admin, title="No domain")
    html = client.post(f"/tickets/{no_domain.pk}/runs/start/", {"checks": ["mx_records"]}).content.decode()
    assert "no protected domain" in html
    assert not DiagnosticRun.objects.exists()


def test_run_diagnostics_is_rate_limited(client, helpdesk, ticket, settings):
    settings.DIAG_RATE_LIMIT = 1
    client.force_login(helpdesk)
    client.post(f"/tickets/{ticket.pk}/runs/start/", {"checks": ["mx_records"]})
    response = client.post(f"/tickets/{ticket.pk}/runs/start/", {"checks": ["mx_records"]})
    assert response.status_code == 429 and "too many diagnostic runs" in response.content.decode()
    assert DiagnosticRun.objects.count() == 1
    assert AuditEvent.objects.filter(kind="rate_limited", user=helpdesk).exists()


def test_attach_an_existing_run_once(client, helpdesk, ticket, domain):
    run = create_run(domain.target(), ["mx_records"], protected_domain=domain)
    elsewhere = ProtectedDomain.objects.create(name="elsewhere.example")
    foreign = create_run(elsewhere.target(), ["mx_records"], protected_domain=elsewhere, user=None)
    client.force_login(helpdesk)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert f'<option value="{run.pk}"' in html
    client.post(f"/tickets/{ticket.pk}/runs/attach/", {"run": run.pk})
    assert [a.run for a in ticket.attached_runs.all()] == [run]
    again = client.post(f"/tickets/{ticket.pk}/runs/attach/", {"run": run.pk}).content.decode()
    assert "Select a valid choice" in again
    client.post(f"/tickets/{ticket.pk}/runs/attach/", {"run": foreign.pk})
    assert ticket.attached_runs.count() == 1


def test_gateway_admin_cannot_attach_runs_of_other_domains(client, admin, other_admin, ticket):
    theirs = ProtectedDomain.objects.create(name="theirs.example")
    DomainAdmin.objects.create(user=other_admin, domain=theirs)
    run = create_run(theirs.target(), ["mx_records"], protected_domain=theirs)
    client.force_login(admin)
    client.post(f"/tickets/{ticket.pk}/runs/attach/", {"run": run.pk})
    assert not ticket.attached_runs.exists()


def test_live_partial_stops_polling_when_runs_finish_and_offers_failed_checks_article(
    client, helpdesk, ticket, articles
):
    run = create_run(ticket.domain.target(), ["mx_records"], protected_domain=ticket.domain)
    services.link_article(ticket, helpdesk, articles[6])
    from tickets.runs import attach

    attach(ticket, helpdesk, run)
    client.force_login(helpdesk)
    live = client.get(f"/tickets/{ticket.pk}/runs/", headers={"HX-Request": "true"}).content.decode()
    assert live.lstrip().startswith('<div id="ticket-run-list"') and 'hx-trigger="every 2s"' in live
    assert "Pending" in live
    finish(run, "fail", ["KB-0002", "KB-0006"], "A lower-priority MX bypasses the gateway.")
    done = client.get(f"/tickets/{ticket.pk}/runs/", headers={"HX-Request": "true"}).content.decode()
    assert "every 2s" not in done
    assert "badge-fail" in done and "A lower-priority MX bypasses the gateway." in done
    assert "Link KB-0002" in done and "Link KB-0006" not in done  # KB-0006 is linked already
    client.post(f"/tickets/{ticket.pk}/link/", {"article": "KB-0002", "note": "from the check"})
    assert ticket.links.filter(kb_number="KB-0002").exists()


def test_passing_checks_offer_no_article(client, helpdesk, ticket, articles):
    run = create_run(ticket.domain.target(), ["mx_records"], protected_domain=ticket.domain)
    from tickets.runs import attach

    attach(ticket, helpdesk, run)
    finish(run, "pass", ["KB-0002"])
    client.force_login(helpdesk)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "badge-pass" in html and "Link KB-0002" not in html


def test_a_real_run_on_loopback_attaches_its_results(client, diag, roles, admin, django_capture_on_commit_callbacks):
    domain = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    DomainAdmin.objects.create(user=admin, domain=domain)
    ticket = services.create_ticket(admin, title="Bypassed?", domain=domain)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/tickets/{ticket.pk}/runs/start/", {"checks": ["mx_records"]})
    run = ticket.attached_runs.get().run
    run.refresh_from_db()
    assert run.state == "finished" and run.status == "pass"
    result = CheckResult.objects.get(run=run)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "badge-pass" in html and result.summary in html


def render_attach_tag(rf, user, run):
    from django.template import engines

    request = rf.get("/diagnostics/")
    request.user = user
    template = engines["django"].from_string('{% load panels %}{% panels "diagnostics.run" run %}')
    return template.render({"run": run}, request)


def test_run_page_tag_offers_open_tickets_of_the_user(rf, admin, other_admin, ticket, other_ticket, editor):
    run = create_run(ticket.domain.target(), ["mx_records"], protected_domain=ticket.domain)
    html = render_attach_tag(rf, admin, run)
    assert f'<option value="{ticket.pk}">{ticket.number}' in html and other_ticket.title not in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert render_attach_tag(rf, other_admin, run).strip() == ""  # not their domain's run
    assert render_attach_tag(rf, editor, run).strip() == ""


def test_attach_from_the_run_page(client, admin, other_admin, ticket, other_ticket):
    run = create_run(ticket.domain.target(), ["mx_records"], protected_domain=ticket.domain)
    client.force_login(admin)
    response = client.post("/tickets/attach-run/", {"run": run.pk, "ticket": ticket.pk})
    assert response.status_code == 302 and response.url == ticket.get_absolute_url() + "#ticket-runs"
    assert [a.run for a in ticket.attached_runs.all()] == [run]
    assert client.post("/tickets/attach-run/", {"run": run.pk, "ticket": other_ticket.pk}).status_code == 403
    assert client.post("/tickets/attach-run/", {"run": "x", "ticket": ticket.pk}).status_code == 400
    client.force_login(other_admin)
    assert client.post("/tickets/attach-run/", {"run": run.pk, "ticket": other_ticket.pk}).status_code == 403
    assert not other_ticket.attached_runs.exists()


def test_gateway_admin_runs_checks_only_on_domains_they_still_administer(client, admin, ticket):
    client.force_login(admin)
    assert client.post(f"/tickets/{ticket.pk}/runs/start/", {"checks": ["mx_records"]}).status_code == 302
    DomainAdmin.objects.filter(user=admin).delete()
    html = client.post(f"/tickets/{ticket.pk}/runs/start/", {"checks": ["mx_records"]}).content.decode()
    assert "no longer an administrator of example.com" in html
    assert DiagnosticRun.objects.count() == 1


def test_sidebar_shows_the_latest_run_in_full_and_older_runs_as_one_line_each(client, helpdesk, ticket):
    from datetime import timedelta

    from django.utils import timezone

    from diagnostics.checks import REGISTRY
    from tickets.runs import attach

    older = create_run(ticket.domain.target(), ["relay_denied"], protected_domain=ticket.domain)
    DiagnosticRun.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=2))
    latest = create_run(ticket.domain.target(), ["mx_records"], protected_domain=ticket.domain)
    attach(ticket, helpdesk, latest)  # attached first, but it ran later: it is still the latest
    attach(ticket, helpdesk, older)
    finish(older, "fail")
    finish(latest, "pass")
    client.force_login(helpdesk)
    html = client.get(ticket.get_absolute_url()).content.decode()
    sidebar = html[html.index('id="ticket-run-list"') :]
    latest_at, older_at = sidebar.index(f"Run #{latest.pk}<"), sidebar.index(f"Run #{older.pk}<")
    assert latest_at < sidebar.index("<details") < older_at  # only the older run is folded
    assert sidebar.count("<details") == 1 and "Earlier runs" in sidebar
    assert f"attached diagnostics run #{older.pk} ({REGISTRY['relay_denied'].label})" in html  # the timeline too
    for name in ("mx_records", "relay_denied"):
        assert f"<strong>{REGISTRY[name].label}</strong>" in sidebar
        assert f"<strong>{name}</strong>" not in sidebar


def test_a_check_run_from_a_probe_too_says_where_each_row_was_tested(client, helpdesk, ticket):
    from diagnostics.checks import REGISTRY
    from tickets.runs import attach

    run = create_run(ticket.domain.target(), ["mx_records"], protected_domain=ticket.domain)
    CheckResult.objects.create(
        run=run, check_name="mx_records", position=0, vantage="probe:1", vantage_label="probe `hq-fml` (site HQ)"
    )
    attach(ticket, helpdesk, run)
    finish(run, "pass")
    client.force_login(helpdesk)
    sidebar = client.get(ticket.get_absolute_url()).content.decode()
    sidebar = sidebar[sidebar.index('id="ticket-run-list"') :]
    label = REGISTRY["mx_records"].label
    assert f"<strong>{label}</strong>" in sidebar  # the portal's row
    assert f"<strong>{label} (from probe `hq-fml` (site HQ))</strong>" in sidebar
