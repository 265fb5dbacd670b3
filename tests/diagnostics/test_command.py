import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from diagnostics.models import DiagnosticRun, ProtectedDomain
from tests.diagnostics.scenarios import scenarios

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def diagnose(*args: str) -> str:
    out = StringIO()
    call_command("diagnose", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("scenario", scenarios())
def test_verdict(diag, scenario):
    diag.configure(**scenario.overrides(diag))
    if scenario.valid_recipient:
        ProtectedDomain.objects.create(name=scenario.domain, valid_recipient=scenario.valid_recipient)
    output = json.loads(diagnose(*scenario.command_args()))
    assert list(output) == ["domain", "status", "checks"]
    assert (output["domain"], output["status"]) == (scenario.domain, scenario.status)
    (check,) = output["checks"]
    assert list(check) == ["check", "status", "summary", "details", "duration_ms", "articles"]
    assert (check["check"], check["status"], check["articles"]) == (
        scenario.check,
        scenario.status,
        list(scenario.articles),
    )
    assert scenario.summary_has in check["summary"]
    assert not scenario.summary_lacks or scenario.summary_lacks not in check["summary"]


def test_run_is_stored(diag):
    diagnose("one.test", "--gateway", "mx.gw.test", "--check", "mx_records", "--json")
    run = DiagnosticRun.objects.get()
    assert (run.source, run.state, run.status, run.target["gateways"]) == (
        "command",
        "finished",
        "pass",
        ["mx.gw.test"],
    )


def test_default_checks_are_those_the_target_allows(diag):
    output = json.loads(diagnose("one.test", "--json"))
    assert [c["check"] for c in output["checks"]] == ["mx_records", "fortiguard_egress", "dnsbl_latency"]
    output = json.loads(diagnose("one.test", "--gateway", "mx.gw.test", "--smtp", "smtp.one.test", "--json"))
    assert len(output["checks"]) == 5
    assert output["status"] == "pass"


def test_protected_domain_fills_in_the_gateway(diag):
    ProtectedDomain.objects.create(name="one.test", gateway_hosts="mx.gw.test")
    output = json.loads(diagnose("one.test", "--check", "relay_denied", "--json"))
    assert output["checks"][0]["status"] == "pass"
    assert DiagnosticRun.objects.get().protected_domain.name == "one.test"


def test_table_output(diag):
    text = diagnose("one.test", "--gateway", "mx.gw.test", "--check", "mx_records", "--check", "fortiguard_egress")
    assert text.splitlines()[0].startswith("one.test: PASS  (tested from ")
    assert "mx_records" in text and "articles: KB-0002" in text
    assert "on the FortiMail: execute nslookup name fg.test" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["http://one.test/"], "not a URL"),
        (["192.0.2.1"], "not an IP address"),
        (["one.test:25"], "without a port"),
        (["one.test", "--check", "nope"], "Unknown check 'nope'"),
        (["one.test", "--check", "relay_denied"], "relay_denied needs --gateway"),
        (["one.test", "--smtp", "mail.one.test:99999"], "not a port number"),
    ],
)
def test_bad_input_exits_2_with_a_message(diag, args, message):
    with pytest.raises(CommandError, match=message) as error:
        diagnose(*args)
    assert error.value.returncode == 2
    assert DiagnosticRun.objects.count() == 0


def test_bad_input_from_the_shell_is_one_line_on_stderr_and_exit_2():
    env = {**os.environ, "DEBUG": "1", "DIAG_HELO_NAME": "portal.diag.test"}  # no W001 on a host without an FQDN
    done = subprocess.run(
        [sys.executable, "manage.py", "diagnose", "https://example.com/"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    messages = [line for line in done.stderr.splitlines() if not line.startswith("{")]  # skip JSON log lines
    assert len(messages) == 1 and messages[0].startswith("CommandError: ") and "not a URL" in messages[0]
    assert done.stdout == ""
