"""The ticket list: filters, text search over title, description and comments, sorting, pagination."""

import pytest

from tickets import services
from tickets.models import Ticket
from tickets.views.lists import PAGE_SIZE

pytestmark = pytest.mark.django_db


def numbers(response):
    return [ticket.number for ticket in response.context["page"].object_list]


def test_filters_by_status_assignee_domain_article_and_symptom(client, helpdesk, admin, domain, articles):
    from kb.models import Symptom

    symptom = Symptom.objects.create(kind="smtp_reply", text="451 Try again later")
    plain = services.create_ticket(admin, title="Plain")
    rich = services.create_ticket(admin, title="Rich", domain=domain, symptoms=[symptom], articles=[articles[6]])
    services.update_ticket(rich, helpdesk, status="open", assignee=helpdesk)
    client.force_login(helpdesk)
    for query in (
        "status=open",
        f"assignee={helpdesk.pk}",
        "mine=on",
        f"domain={domain.pk}",
        "article=KB-0006",
        f"symptom={symptom.pk}",
    ):
        assert numbers(client.get(f"/tickets/?{query}")) == [rich.number], query
    assert set(numbers(client.get("/tickets/"))) == {plain.number, rich.number}


def test_text_search_covers_title_description_and_comments(client, helpdesk, admin):
    by_title = services.create_ticket(admin, title="Greylisting delays")
    by_description = services.create_ticket(admin, title="A", description="Outlook shows greylisting")
    by_comment = services.create_ticket(admin, title="B")
    services.add_comment(by_comment, helpdesk, "Looks like greylisting to me")
    by_note = services.create_ticket(admin, title="C")
    services.add_comment(by_note, helpdesk, "internal: greylisting", internal=True)
    services.create_ticket(admin, title="Unrelated")
    client.force_login(helpdesk)
    found = set(numbers(client.get("/tickets/?q=greylisting")))
    assert found == {t.number for t in (by_title, by_description, by_comment, by_note)}
    client.force_login(admin)
    assert by_note.number not in numbers(client.get("/tickets/?q=greylisting"))  # internal notes stay internal
    assert numbers(client.get(f"/tickets/?q={by_comment.number}")) == [by_comment.number]


def test_sorting(client, helpdesk, admin):
    low = services.create_ticket(admin, title="Low", priority=Ticket.Priority.LOW)
    urgent = services.create_ticket(admin, title="Urgent", priority=Ticket.Priority.URGENT)
    client.force_login(helpdesk)
    assert numbers(client.get("/tickets/?sort=priority")) == [urgent.number, low.number]
    assert numbers(client.get("/tickets/?sort=oldest")) == [low.number, urgent.number]
    assert numbers(client.get("/tickets/?sort=newest")) == [urgent.number, low.number]


def test_pagination_keeps_the_filters(client, helpdesk, admin):
    for i in range(PAGE_SIZE + 3):
        services.create_ticket(admin, title=f"Bounce {i}")
    client.force_login(helpdesk)
    first = client.get("/tickets/?q=Bounce")
    assert len(numbers(first)) == PAGE_SIZE
    assert "?q=Bounce&amp;page=2" in first.content.decode()
    second = client.get("/tickets/?q=Bounce&page=2")
    assert len(numbers(second)) == 3
    assert client.get("/tickets/?page=999").status_code == 200


def test_bad_filters_are_reported_and_ignored(client, helpdesk, admin):
    ticket = services.create_ticket(admin, title="Still listed")
    client.force_login(helpdesk)
    response = client.get("/tickets/?status=bogus&article=KB-9999&sort=%00&assignee=abc")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No article KB-9999" in html and "Select a valid choice" in html
    assert numbers(response) == [ticket.number]


def test_htmx_gets_the_results_partial(client, helpdesk, admin):
    services.create_ticket(admin, title="Partial please")
    client.force_login(helpdesk)
    html = client.get("/tickets/?q=Partial", headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<section id="ticket-results"')
    assert "Partial please" in html and "<html" not in html
