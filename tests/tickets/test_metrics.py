"""The metrics page: each measure as an SVG chart with its numbers beside it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from diagnostics.models import CheckResult, DiagnosticRun
from diagnostics.services import create_run
from tickets import metrics, services
from tickets.models import Deflection, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(helpdesk, admin, domain, articles):
    now = timezone.now()
    for hours, article in [(2, articles[2]), (30, articles[2]), (200, articles[6])]:
        ticket = services.create_ticket(admin, title=f"{hours} h", articles=[article], domain=domain)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=now - timedelta(hours=hours), resolved_at=now, status=Ticket.Status.RESOLVED
        )
    services.create_ticket(admin, title="Still open")
    Deflection.objects.create(user=admin, article=articles[6], kb_number="KB-0006")
    for status in ("fail", "fail", "pass"):
        run = create_run(domain.target(), ["mx_records"], protected_domain=domain)
        run.results.update(status=status)
    DiagnosticRun.objects.update(state="finished")


def test_numbers(history):
    data = metrics.summary()
    assert dict(data["by_status"])["Resolved"] == 3 and dict(data["by_status"])["New"] == 1
    assert data["per_article"][0] == ("KB-0002 The FortiMail unit is bypassed.", 2)
    assert data["deflection"]["rate"] == 20.0  # 1 deflected of 5 reports
    assert data["resolution"]["median"] == timedelta(hours=30)
    assert dict(data["resolution"]["rows"]) == {
        "under 1 hour": 0,
        "1 to 24 hours": 1,
        "1 to 7 days": 1,
        "over 7 days": 1,
    }
    assert data["failing_checks"] == [("example.com: mx_records", 2)]
    assert CheckResult.objects.filter(status="pass").count() == 1


def test_page_draws_svg_charts_with_numbers(client, helpdesk, history):
    client.force_login(helpdesk)
    html = client.get("/tickets/metrics/").content.decode()
    assert html.count("<svg") == 5 and 'role="img"' in html
    assert "<strong>20.0%</strong>" in html and "1 d 6 h" in html
    assert '<th scope="row">example.com: mx_records</th><td>2</td>' in html
    assert "style=" not in html.split("<main", 1)[1]  # no inline styles (CSP)


def test_empty_metrics_page(client, helpdesk):
    client.force_login(helpdesk)
    html = client.get("/tickets/metrics/").content.decode()
    assert "no resolved tickets yet" in html and "0.0" not in html and "No reports yet, so no rate" in html
    assert metrics.deflection()["rate"] is None
    # each empty chart says it once, instead of an empty drawing and an empty table both saying "No data yet"
    assert html.count("No data yet") == 5 and "<svg" not in html and "chart-numbers" not in html


def test_every_page_links_the_favicon_and_it_is_served(client, settings):
    from django.contrib.staticfiles import finders

    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    path = finders.find("favicon.svg")
    assert path and open(path, encoding="utf-8").read().startswith("<svg")
