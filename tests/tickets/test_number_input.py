"""Ids and numbers typed by users: Unicode digits (`²` passes `str.isdigit()`, `int()` refuses it; `١` passes
both) and integers past the database's range are answered with a 4xx and a message, never a 500 or a match.
"""

import pytest

from diagnostics.services import create_run
from kb.models import SearchQueryLog
from tickets.models import Deflection, Ticket

pytestmark = pytest.mark.django_db
SUPERSCRIPT_TWO = "²"  # isdigit() is true, int() raises ValueError
ARABIC_ONE = "١"  # isdigit() is true and int() gives 1: must not reach the database as 1 either
HUGE = "9" * 40  # past 64 bits: SQLite raises OverflowError
BAD_NUMBERS = [SUPERSCRIPT_TWO, ARABIC_ONE, HUGE, "T-" + SUPERSCRIPT_TWO, "1\x00", " 1 2", "-1"]


@pytest.mark.parametrize("position", [SUPERSCRIPT_TWO, ARABIC_ONE, HUGE])
def test_search_result_position_is_ascii_digits_only(client, guide, position):
    log = SearchQueryLog.objects.create(query="relay", result_count=1)
    response = client.get(f"/search/open/{log.pk}/6/", {"position": position})
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.opened_article.number == 6 and log.opened_position is None


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize("key", ["q", "article"])
def test_ticket_list_filters_refuse_bad_numbers(client, helpdesk, ticket, key, value):
    client.force_login(helpdesk)
    response = client.get("/tickets/", {key: value})
    assert response.status_code == 200  # the list, with the filter's message when it is the article filter
    assert ticket.number in response.content.decode() if key == "article" else True  # an invalid filter is ignored
    if key == "article":
        assert "errorlist" in response.content.decode()


def test_ticket_number_search_finds_ascii_numbers_only(client, helpdesk, ticket):
    client.force_login(helpdesk)
    assert ticket.number in client.get("/tickets/", {"q": f"T-{ticket.pk}"}).content.decode()
    assert ticket.number not in client.get("/tickets/", {"q": f"T-{ARABIC_ONE}"}).content.decode()


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_link_refuses_bad_article_numbers(client, helpdesk, ticket, articles, value):
    client.force_login(helpdesk)
    response = client.post(f"/tickets/{ticket.pk}/link/", {"article": value})
    assert response.status_code == 200 and "No article" in response.content.decode()
    assert not ticket.links.exists()


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_yes_solved_refuses_bad_numbers(client, admin, articles, value):
    client.force_login(admin)
    assert client.post("/report/solved/", {"article": value}).status_code == 400
    assert not Deflection.objects.exists()
    response = client.post("/report/solved/", {"article": "6", "symptom": value})
    assert response.status_code == 302  # the deflection counts; a symptom id that is not one is left out
    assert not Deflection.objects.get().symptoms.exists()


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_ONE, HUGE])
def test_report_suggestions_and_submit_refuse_bad_symptom_ids(client, guide, admin, domain, value):
    client.force_login(admin)
    response = client.get("/report/suggestions/", {"symptom": value, "evidence": "relay access denied"})
    assert response.status_code == 200  # suggestions for the text; the bad id is ignored
    response = client.post("/report/suggestions/", {"symptom": value, "evidence": "relay access denied"})
    assert response.status_code == 200
    response = client.post(
        "/report/", {"symptom": value, "evidence": "x", "title": "Bounces", "domain": str(domain.pk)}
    )
    assert response.status_code == 200 and "is not a valid value" in response.content.decode()
    assert not Ticket.objects.exists()
    response = client.post("/report/", {"evidence": "x", "title": "Bounces", "domain": value})
    assert response.status_code == 200 and "valid choice" in response.content.decode()


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_ONE, HUGE, "1\x00"])
def test_attach_from_run_refuses_bad_ids(client, helpdesk, ticket, domain, value):
    run = create_run(domain.target(), ["mx_records"], user=helpdesk, protected_domain=domain)
    client.force_login(helpdesk)
    response = client.post("/tickets/attach-run/", {"run": value, "ticket": str(ticket.pk)})
    assert response.status_code == 400 and b"digits 0-9" in response.content
    assert client.post("/tickets/attach-run/", {"run": str(run.pk), "ticket": value}).status_code == 400
    assert not ticket.attached_runs.exists()


@pytest.mark.parametrize("port", [SUPERSCRIPT_TWO, ARABIC_ONE, HUGE])
def test_admin_refuses_unicode_and_huge_smtp_ports(admin_client, port):
    response = admin_client.post(
        "/admin/diagnostics/protecteddomain/add/",
        {
            "name": "example.org",
            "mode": "gateway",
            "gateway_hosts": "mx.example.org",
            "smtp_server": f"mail.example.org:{port}",
            "domainadmin_set-TOTAL_FORMS": "0",
            "domainadmin_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "is not a port number" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/search/open/{huge}/6/",
        "/search/open/1/{huge}/",
        "/kb/{huge}/",
        "/kb/{huge}/slug/",
        "/tickets/{huge}/",
        "/tickets/1/links/{huge}/unlink/",
        "/diagnostics/runs/{huge}/",
    ],
)
def test_huge_ids_in_urls_are_not_found(client, helpdesk, ticket, path):
    client.force_login(helpdesk)
    assert client.get(path.format(huge=HUGE)).status_code == 404
    assert client.post(path.format(huge=HUGE)).status_code in (404, 405)


def test_kb_numbers_in_comments_are_ascii_and_in_range(client, helpdesk, ticket, articles):
    client.force_login(helpdesk)
    body = f"Not KB-{HUGE}, not KB-{'٠٠٠٦'}, but KB-0006."
    assert client.post(f"/tickets/{ticket.pk}/comment/", {"body": body}).status_code == 302
    assert list(ticket.links.values_list("kb_number", flat=True)) == ["KB-0006"]
