"""/report/: the symptom form, its live suggestions, "yes, solved", and submitting a ticket."""

import pytest
from django.db import IntegrityError

from diagnostics.models import DiagnosticRun
from kb.models import Symptom
from tickets.models import Deflection, Event, Ticket

pytestmark = pytest.mark.django_db

RELAY_BOUNCE = "Nov 28 10:01:02 mx postfix/smtp[123]: 550 5.7.1 <bob@example.com>: Relay access denied"


def relay_symptom():
    return Symptom.objects.get(text="550 5.7.1 Relay access denied")


def test_form_groups_symptoms_by_kind_and_lists_only_own_domains(client, guide, admin, domain):
    from diagnostics.models import ProtectedDomain

    ProtectedDomain.objects.create(name="not-mine.example")
    client.force_login(admin)
    html = client.get("/report/").content.decode()
    for label in ("SMTP reply clients see", "Event-log message", "Behaviour"):
        assert label in html
    assert 'name="symptom"' in html and "example.com" in html and "not-mine.example" not in html


def test_suggestions_follow_pasted_lines_and_ticked_symptoms(client, guide, admin, domain):
    client.force_login(admin)
    html = client.get("/report/suggestions/", {"evidence": RELAY_BOUNCE}, headers={"HX-Request": "true"}).content
    html = html.decode()
    assert html.lstrip().startswith('<aside id="suggestions"')
    first = html.index('class="kb-number">') + len('class="kb-number">')
    assert html[first : first + 7] == "KB-0001"
    assert "Yes, KB-0001 solved it" in html
    greylisting = Symptom.objects.get(text="451 Try again later")
    html = client.get("/report/suggestions/", {"symptom": [greylisting.pk]}).content.decode()
    assert "KB-0006" in html and f'name="symptom" value="{greylisting.pk}"' in html


def test_suggestions_survive_hostile_input(client, guide, admin):
    client.force_login(admin)
    for text in ['"unbalanced (AND NOT', "\x00", "😀" * 50, "x" * 30000, "NEAR(a b) ^ * : -"]:
        response = client.get("/report/suggestions/", {"evidence": text, "symptom": ["abc", "999999"]})
        assert response.status_code == 200


def test_long_pasted_logs_are_posted_for_suggestions(client, guide, admin):
    client.force_login(admin)
    log = "\n".join(f"Nov 28 10:{i % 60:02d}:00 mx postfix/smtpd[{i}]: connect from unknown" for i in range(300))
    log += "\nNov 28 11:00:00 mx postfix/smtp[9]: 550 5.7.1 <bob@example.com>: Relay access denied"
    response = client.post("/report/suggestions/", {"evidence": log}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and len(log) > 15000
    assert "Yes, KB-0001 solved it" in response.content.decode()


def test_preview_without_javascript_shows_suggestions_and_keeps_input(client, guide, admin, domain):
    client.force_login(admin)
    data = {"evidence": RELAY_BOUNCE, "title": "Relay denied", "domain": domain.pk, "action": "preview"}
    html = client.post("/report/", data).content.decode()
    assert "Yes, KB-0001 solved it" in html and 'value="Relay denied"' in html
    assert not Ticket.objects.exists()


def test_invalid_form_rerenders_with_everything_typed(client, guide, admin, domain):
    client.force_login(admin)
    symptom = relay_symptom()
    data = {"symptom": [symptom.pk], "evidence": RELAY_BOUNCE, "description": "My words", "domain": "999"}
    response = client.post("/report/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "everything you typed is kept" in html and "This field is required." in html
    assert "Select a valid choice" in html
    assert "My words" in html and "Relay access denied</textarea>" in html
    assert f'value="{symptom.pk}"' in html and "checked" in html
    assert not Ticket.objects.exists()


def test_form_needs_something_to_go_on(client, admin, domain):
    client.force_login(admin)
    html = client.post("/report/", {"title": "Help", "domain": domain.pk}).content.decode()
    assert "Tick a symptom, paste a bounce or log line, or describe the problem." in html
    assert not Ticket.objects.exists()


def test_submit_creates_ticket_with_symptoms_links_and_a_run(client, guide, admin, domain):
    client.force_login(admin)
    symptom = relay_symptom()
    data = {"symptom": [symptom.pk], "evidence": RELAY_BOUNCE, "title": "Relay denied", "domain": domain.pk}
    response = client.post("/report/", data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == ticket.get_absolute_url()
    assert (ticket.requester, ticket.domain, ticket.title, ticket.evidence) == (
        admin,
        domain,
        "Relay denied",
        RELAY_BOUNCE,
    )
    assert list(ticket.symptoms.all()) == [symptom]
    assert ticket.links.first().kb_number == "KB-0001"
    run = ticket.attached_runs.get().run
    assert run.protected_domain == domain and "relay_denied" in run.checks
    assert run.source == DiagnosticRun.Source.TICKET
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds[0] == Event.Kind.CREATED and Event.Kind.LINKED in kinds and kinds[-1] == Event.Kind.RUN


def test_submit_is_one_transaction(guide, admin, domain, monkeypatch):
    from tickets import report, runs

    def broken(*args, **kwargs):
        raise IntegrityError("simulated failure while starting the run")

    monkeypatch.setattr(runs, "start_run", broken)
    data = {"symptom": [relay_symptom().pk], "evidence": RELAY_BOUNCE, "title": "Relay denied", "domain": domain.pk}
    form = report.ReportForm(data, user=admin)
    assert form.is_valid()
    with pytest.raises(IntegrityError):
        report.submit(form, admin)
    assert not Ticket.objects.exists() and not Event.objects.exists()


def test_yes_solved_counts_a_deflection_and_creates_no_ticket(client, guide, admin):
    client.force_login(admin)
    symptom = relay_symptom()
    response = client.post("/report/solved/", {"article": "KB-0001", "symptom": [symptom.pk, "junk"]}, follow=True)
    deflection = Deflection.objects.get()
    assert (deflection.user, deflection.kb_number, list(deflection.symptoms.all())) == (admin, "KB-0001", [symptom])
    assert response.redirect_chain[-1][0].startswith("/kb/1/")
    assert "No ticket was created." in response.content.decode()
    assert not Ticket.objects.exists()


def test_yes_solved_with_an_unknown_article_is_a_400(client, admin):
    client.force_login(admin)
    assert client.post("/report/solved/", {"article": "KB-0404"}).status_code == 400
    assert client.post("/report/solved/", {"article": "<x>"}).status_code == 400
    assert not Deflection.objects.exists()


def test_selector_counts_matching_articles_and_htmx_updates_the_counts(client, guide, admin):
    client.force_login(admin)
    greylisting = Symptom.objects.get(text="451 Try again later")
    relay = relay_symptom()
    html = client.get("/report/").content.decode()
    assert f'matching articles:</span> <span class="facet-count" id="facet-{greylisting.pk}">2<' in html
    assert "hx-swap-oob" not in html
    html = client.post("/report/suggestions/", {"symptom": [greylisting.pk]}, headers={"HX-Request": "true"})
    html = html.content.decode()
    assert f'id="facet-{greylisting.pk}" hx-swap-oob="true">2<' in html
    assert f'id="facet-{relay.pk}" hx-swap-oob="true">0<' in html


def test_hostile_form_values_rerender_the_form(client, admin, domain):
    client.force_login(admin)
    huge = "9" * 25
    data = {"symptom": [huge, "x"], "domain": huge, "title": "t\x00", "evidence": "e" * 20001}
    response = client.post("/report/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "everything you typed is kept" in html
    assert "Null characters are not allowed." in html and "at most 20000 characters" in html
    assert not Ticket.objects.exists()


def test_only_domain_is_preselected_and_required_fields_are_marked(client, guide, admin, domain):
    import re

    from diagnostics.models import DomainAdmin, ProtectedDomain

    client.force_login(admin)
    html = client.get("/report/").content.decode()
    assert f'<option value="{domain.pk}" selected>' in html  # the admin's only domain
    assert '<label for="id_domain" class="required">' in html and '<label for="id_title" class="required">' in html
    assert '<label for="id_evidence">' in html  # optional: no marker
    # every aria-describedby points at ids that exist on the page (with and without errors)
    invalid = client.post("/report/", {"action": "submit", "domain": "", "title": ""}).content.decode()
    for page in (html, invalid):
        ids = set(re.findall(r' id="([^"]+)"', page))
        described = {ref for refs in re.findall(r'aria-describedby="([^"]+)"', page) for ref in refs.split()}
        assert described and described <= ids, described - ids

    other = ProtectedDomain.objects.create(name="second.example")
    DomainAdmin.objects.create(user=admin, domain=other)
    html = client.get("/report/").content.decode()
    assert '<option value="" selected>' in html and f'value="{domain.pk}" selected' not in html  # two: pick one
