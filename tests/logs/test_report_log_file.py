"""A symptom-form submission can carry a log file: analysed and attached to the new ticket."""

from django.core.files.uploadedfile import SimpleUploadedFile

from logs.models import LogAnalysis
from tickets.models import Ticket

from .conftest import FIXTURES


def test_report_with_log_file(client, guide, admin, domain, upload_root, django_capture_on_commit_callbacks):
    client.force_login(admin)
    form = client.get("/report/").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="log_file"' in form
    log = SimpleUploadedFile("elog.log", (FIXTURES / "event_v8.log").read_bytes())
    data = {"description": "Milter timeouts since this morning", "title": "Timeouts", "domain": domain.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/report/", {**data, "log_file": [log]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == ticket.get_absolute_url()
    analysis = LogAnalysis.objects.get()
    assert analysis.ticket == ticket and analysis.owner == admin
    assert analysis.status == LogAnalysis.Status.DONE
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Log analyses" in page and "KB-0007" in page


def test_report_without_log_file_makes_no_analysis(client, guide, admin, domain):
    client.force_login(admin)
    client.post("/report/", {"description": "x", "title": "No log", "domain": domain.pk})
    assert Ticket.objects.count() == 1 and not LogAnalysis.objects.exists()
