import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from diagnostics import services
from diagnostics.checks import Target
from diagnostics.models import DiagnosticRun, ProtectedDomain
from portal.models import AuditEvent
from tests.diagnostics.scenarios import scenarios

pytestmark = pytest.mark.django_db
INDEX = reverse("diagnostics:index")


@pytest.fixture
def user(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("helpdesk")  # no password: no slow hashing
    user.groups.add(Group.objects.get(name="helpdesk"))
    return user


@pytest.fixture
def client(user):
    client = Client()
    client.force_login(user)
    return client


def start(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(INDEX, data)


def card(html: str, check: str) -> str:
    match = re.search(
        rf'<li class="card diag-result[^"]*" id="check-{check}">(.*?)</li>\s*(?:<li class="card|</ol>)', html, re.S
    )
    assert match, f"no result card for {check}"
    return match.group(1)


@pytest.mark.parametrize("scenario", scenarios())
def test_verdict(diag, scenario, client, django_capture_on_commit_callbacks):
    diag.configure(**scenario.overrides(diag))
    record = ProtectedDomain.objects.create(
        name=scenario.domain,
        gateway_hosts="\n".join(scenario.gateways),
        smtp_server=scenario.smtp,
        valid_recipient=scenario.valid_recipient,
    )
    response = start(client, django_capture_on_commit_callbacks, protected_domain=record.pk, checks=[scenario.check])
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = card(page.content.decode(), scenario.check)
    assert f'class="badge badge-{scenario.status}"' in html
    assert scenario.summary_has in page.content.decode().replace("&#x27;", "'")
    summary = re.search(r'<p class="diag-summary">(.*?)</p>', html, re.S).group(1).replace("&#x27;", "'")
    assert not scenario.summary_lacks or scenario.summary_lacks not in summary
    assert all(kb in html for kb in scenario.articles)


def test_results_link_the_articles_and_show_timings_and_commands(
    diag, client, guide, django_capture_on_commit_callbacks
):
    response = start(client, django_capture_on_commit_callbacks, domain="one.test", checks=["mx_records"])
    run = DiagnosticRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    html = client.get(run.get_absolute_url()).content.decode()
    assert 'href="/kb/2/' in html and "KB-0002 The FortiMail unit is bypassed" in html
    assert 'class="diag-phase diag-phase-dns diag-w-' in html
    assert '<details class="diag-details">' in html and "Tested from" in html

    url = f"http://fg.test:{diag.http.closed_port}/"
    diag.configure(DIAG_FORTIGUARD_URLS=url)
    run = services.run_checks_now(Target("one.test"), ["fortiguard_egress"])
    html = client.get(run.get_absolute_url()).content.decode()
    assert "set uri-redirect-lookup disable" in html and 'href="/kb/8/' in html


def test_timing_bars_scale_to_the_slowest_step_without_inline_styles(diag, client):
    run = services.run_checks_now(Target("slow.test", ("mx.gw.test",)), ["mx_records"])
    html = client.get(run.get_absolute_url()).content.decode()
    assert 'class="diag-phase diag-phase-dns diag-w-20" title="DNS 3' in html  # the ~300 ms MX lookup is the full bar
    assert " style=" not in html  # the Content-Security-Policy forbids inline styles


def test_unfinished_run_polls_its_partial_and_stops_when_done(diag, client):
    run = services.create_run(Target("one.test"), ["mx_records"])
    html = client.get(run.get_absolute_url()).content.decode()
    assert f'hx-get="{run.get_absolute_url()}" hx-trigger="every 1s"' in html
    assert '<meta http-equiv="refresh"' in html  # inside <noscript>: works without JavaScript
    partial = client.get(run.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="run-results"') and "<html" not in partial
    services.execute_run(run.pk)
    partial = client.get(run.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial and "badge-pass" in partial


def test_page_load_expires_a_run_stuck_past_its_deadline(diag, client):
    run = services.create_run(Target("one.test"), ["mx_records"])
    DiagnosticRun.objects.filter(pk=run.pk).update(state="running", deadline_at=run.created_at)
    html = client.get(run.get_absolute_url()).content.decode()
    assert "the worker stopped" in html and "hx-trigger" not in html
    assert DiagnosticRun.objects.get(pk=run.pk).state == "failed"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("https://one.test/", "not a URL"),
        ("192.0.2.7", "not an IP address"),
        ("[2001:db8::1]", "not an IP address"),
        ("one.test:25", "without a port"),
        ("postmaster@one.test", "not an email address"),
        ("under_score.test", "is not allowed"),
        ("a" * 64 + ".test", "at most 63 characters"),
        (("abcdefghi." * 26) + "test", "at most 253 characters"),
        ("localhost", "with a dot"),
        ("", "Choose a protected domain or type a domain name"),
    ],
)
def test_bad_domain_is_a_400_with_a_clear_message_and_keeps_the_input(diag, client, typed, message):
    response = client.post(INDEX, {"domain": typed, "checks": ["mx_records"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert f'value="{typed}"' in html.replace("&#x27;", "'") if typed else True
    assert DiagnosticRun.objects.count() == 0


def test_typed_domain_with_every_check_ticked_runs_what_can_run_and_says_what_was_skipped(
    diag, client, django_capture_on_commit_callbacks
):
    form = client.get(INDEX).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="checks"[^>]*>', form)
    assert len(boxes) == 5 and all("checked" in box for box in boxes)  # the default: all
    response = start(
        client,
        django_capture_on_commit_callbacks,
        domain="one.test",
        checks=["mx_records", "fortiguard_egress", "dnsbl_latency", "smtp_recipient_verification", "relay_denied"],
    )
    assert response.status_code == 302
    run = DiagnosticRun.objects.get()
    assert run.checks == ["mx_records", "fortiguard_egress", "dnsbl_latency"]
    html = client.get(run.get_absolute_url()).content.decode()
    skipped = re.search(r'<div class="card diag-skipped" id="skipped-checks">(.*?)</div>', html, re.S).group(1)
    assert "Not run on one.test" in skipped
    assert "SMTP recipient verification: needs a protected domain with an SMTP server" in skipped
    assert "Relay denied: needs a protected domain with a gateway" in skipped
    assert 'id="check-relay_denied"' not in html


def test_typed_domain_with_only_checks_that_cannot_run_on_it_is_a_400_saying_why(diag, client):
    response = client.post(INDEX, {"domain": "one.test", "checks": ["relay_denied"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "None of the ticked checks can run on one.test: Relay denied needs a protected domain with a gateway" in html
    assert 'value="one.test"' in html and DiagnosticRun.objects.count() == 0


def test_protected_domain_skips_the_checks_its_record_lacks(diag, client, django_capture_on_commit_callbacks):
    record = ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")  # no SMTP server
    start(
        client,
        django_capture_on_commit_callbacks,
        protected_domain=record.pk,
        checks=["mx_records", "smtp_recipient_verification", "relay_denied"],
    )
    run = DiagnosticRun.objects.get()
    assert run.checks == ["mx_records", "relay_denied"]
    html = client.get(run.get_absolute_url()).content.decode()
    assert "SMTP recipient verification: no SMTP server is configured for this domain." in html


def test_query_domain_preselects_the_protected_domain(diag, client):
    record = ProtectedDomain.objects.create(name="one.test")
    html = client.get(INDEX, {"domain": "ONE.test"}).content.decode()
    assert f'<option value="{record.pk}" selected>one.test</option>' in html
    assert 'value="two.test"' in client.get(INDEX, {"domain": "two.test"}).content.decode()


def test_run_status_is_the_same_in_the_header_and_on_each_check(diag, client):
    run = services.create_run(Target("one.test"), ["mx_records", "dnsbl_latency"])
    html = client.get(run.get_absolute_url()).content.decode()
    assert html.count('<span class="badge badge-pending">Queued</span>') == 3  # the header and both checks
    assert "Running" not in html and "Waiting for a worker to start the checks" in html
    DiagnosticRun.objects.filter(pk=run.pk).update(state="running")
    html = client.get(run.get_absolute_url()).content.decode()
    assert html.count('<span class="badge badge-pending">Running</span>') == 3 and "Queued" not in html


def test_timing_bars_of_one_run_share_one_scale(diag, client):
    from diagnostics.models import CheckResult

    run = services.create_run(Target("one.test"), ["mx_records", "fortiguard_egress"])
    slow, fast = {"timings": [{"label": "a", "dns": 100, "connect": 100}]}, {"timings": [{"label": "b", "dns": 2}]}
    CheckResult.objects.filter(run=run, check_name="mx_records").update(status="pass", details=fast)
    CheckResult.objects.filter(run=run, check_name="fortiguard_egress").update(status="pass", details=slow)
    html = client.get(run.get_absolute_url()).content.decode()
    assert 'diag-phase-dns diag-w-0" title="DNS 2 ms"' in html  # 2 ms of 200 ms: no longer a full bar
    assert 'diag-phase-dns diag-w-10" title="DNS 100 ms"' in html
    assert 'diag-phase-connect diag-w-10" title="Connect 100 ms"' in html


def test_internationalized_domain_is_stored_in_idna(diag, client, django_capture_on_commit_callbacks):
    start(client, django_capture_on_commit_callbacks, domain="Bücher.test", checks=["mx_records"])
    run = DiagnosticRun.objects.get()
    assert run.domain == "xn--bcher-kva.test"
    assert run.status == "fail"  # NXDOMAIN in the test zone


def test_typed_name_of_a_protected_domain_uses_its_record(diag, client, django_capture_on_commit_callbacks):
    ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    start(client, django_capture_on_commit_callbacks, domain="ONE.test", checks=["relay_denied"])
    assert DiagnosticRun.objects.get().status == "pass"


def test_rate_limit_answers_429(diag, client, settings, django_capture_on_commit_callbacks):
    settings.DIAG_RATE_LIMIT = 1
    assert (
        start(client, django_capture_on_commit_callbacks, domain="one.test", checks=["mx_records"]).status_code == 302
    )
    response = client.post(INDEX, {"domain": "one.test", "checks": ["mx_records"]})
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "too many diagnostic runs" in response.content.decode()
    assert "Too many requests" in response.content.decode()  # the portal's 429 page, as for every limit
    assert DiagnosticRun.objects.count() == 1
    run = DiagnosticRun.objects.get()
    assert client.post(reverse("diagnostics:run_again", args=[run.pk])).status_code == 429
    assert sum(AuditEvent.objects.filter(kind="rate_limited").values_list("count", flat=True)) == 2


def test_run_again_starts_a_new_run(diag, client, django_capture_on_commit_callbacks):
    run = services.run_checks_now(Target("one.test"), ["mx_records"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("diagnostics:run_again", args=[run.pk]))
    again = DiagnosticRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == again.get_absolute_url()
    assert (again.checks, again.status) == (["mx_records"], "pass")
    assert client.get(reverse("diagnostics:run_again", args=[run.pk])).status_code == 405


def test_history_lists_the_runs_of_one_domain(diag, client):
    mine = services.run_checks_now(Target("one.test"), ["mx_records"])
    other = services.run_checks_now(Target("two.test"), ["mx_records"])
    html = client.get(reverse("diagnostics:history", args=["one.test"])).content.decode()
    assert mine.get_absolute_url() in html and other.get_absolute_url() not in html
    assert client.get(reverse("diagnostics:history", args=["not a domain"])).status_code == 400


def test_index_lists_protected_domains_and_recent_runs(diag, client):
    ProtectedDomain.objects.create(name="one.test")
    run = services.run_checks_now(Target("two.test"), ["mx_records"])
    html = client.get(INDEX).content.decode()
    assert reverse("diagnostics:history", args=["one.test"]) in html
    assert run.get_absolute_url() in html and 'class="badge badge-warn"' in html


def test_pages_require_login(db):
    anonymous = Client()
    for url in [INDEX, reverse("diagnostics:run", args=[1]), reverse("diagnostics:history", args=["one.test"])]:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert anonymous.post(INDEX, {"domain": "one.test"}).status_code == 302
    assert DiagnosticRun.objects.count() == 0


def test_post_without_csrf_token_is_refused(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(INDEX, {"domain": "one.test", "checks": ["mx_records"]}).status_code == 403
    assert DiagnosticRun.objects.count() == 0


@pytest.fixture
def gateway_admin(django_user_model):
    from django.contrib.auth.models import Group

    from diagnostics.models import DomainAdmin, ProtectedDomain

    admin = django_user_model.objects.create_user("gwadmin")
    admin.groups.add(Group.objects.get(name="gateway-admins"))
    DomainAdmin.objects.create(user=admin, domain=ProtectedDomain.objects.create(name="one.test"))
    ProtectedDomain.objects.create(name="two.test")
    return admin


def test_gateway_admins_test_only_their_own_domains(gateway_admin, django_user_model):
    client = Client()
    client.force_login(gateway_admin)
    page = client.get(INDEX).content.decode()
    assert "one.test" in page and "two.test" not in page
    theirs = DiagnosticRun.objects.create(domain="two.test", checks=["mx_records"], deadline_at=timezone.now())
    response = client.post(INDEX, {"domain": "two.test", "checks": ["mx_records"]})
    assert response.status_code == 400
    assert "Choose one of your protected domains." in response.content.decode()
    assert client.get(reverse("diagnostics:run", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("diagnostics:run_again", args=[theirs.pk])).status_code == 404
    assert DiagnosticRun.objects.count() == 1


def test_history_has_a_run_now_button_that_repeats_the_latest_run(diag, client, django_capture_on_commit_callbacks):
    services.run_checks_now(Target("one.test"), ["dnsbl_latency"])
    latest = services.run_checks_now(Target("one.test"), ["mx_records"])
    html = client.get(reverse("diagnostics:history", args=["one.test"])).content.decode()
    action = reverse("diagnostics:run_again", args=[latest.pk])
    assert f'<form method="post" action="{action}"' in html and ">Run now</button>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action)
    again = DiagnosticRun.objects.order_by("-pk").first()
    assert response["Location"] == again.get_absolute_url() and again.checks == ["mx_records"]


def test_kb_editor_sees_a_sentence_instead_of_a_form_they_cannot_use(diag, django_user_model):
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user("editor")
    editor.groups.add(Group.objects.get(name="kb-editors"))
    client = Client()
    client.force_login(editor)
    html = client.get(INDEX).content.decode()
    assert "Your account cannot start diagnostic checks" in html
    assert "<select" not in html and '<form method="post" action="/diagnostics/"' not in html
    assert 'href="/diagnostics/"' not in html  # no navigation link to a page with nothing to do
    run = services.run_checks_now(Target("one.test"), ["mx_records"])
    assert ">Run now<" not in client.get(reverse("diagnostics:history", args=["one.test"])).content.decode()
    assert client.post(INDEX, {"domain": "one.test", "checks": ["mx_records"]}).status_code == 403
    assert client.post(reverse("diagnostics:run_again", args=[run.pk])).status_code == 403


def test_gateway_admin_without_a_domain_is_told_why_there_is_no_form(diag, django_user_model):
    from django.contrib.auth.models import Group

    admin = django_user_model.objects.create_user("newadmin")
    admin.groups.add(Group.objects.get(name="gateway-admins"))
    client = Client()
    client.force_login(admin)
    html = client.get(INDEX).content.decode()
    assert "No protected domain is assigned to your account yet" in html and "<select" not in html


def test_users_without_a_role_cannot_start_runs(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.post(INDEX, {"domain": "one.test", "checks": ["mx_records"]}).status_code == 403
    assert DiagnosticRun.objects.count() == 0
