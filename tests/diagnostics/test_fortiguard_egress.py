import pytest

from diagnostics.checks import Target, run_check
from tests.diagnostics.scenarios import check_verdict, scenarios
from tests.servers.http import Handler


@pytest.mark.parametrize("scenario", scenarios("fortiguard_egress"))
def test_verdict(diag, scenario):
    check_verdict(diag, scenario)


def test_every_step_is_timed(diag):
    outcome = run_check("fortiguard_egress", Target("one.test"), diag.configure())
    assert set(outcome.details["timings"][0]) == {"label", "dns", "connect", "first_byte"}
    assert outcome.details["endpoints"][0]["http_status"] == 200


def test_https_times_the_tls_handshake(diag):
    if not diag.http.tls_port:
        pytest.fail("no openssl binary to make a test certificate (apt-get install openssl)")
    url = f"https://fg.test:{diag.http.tls_port}/ok"
    outcome = run_check(
        "fortiguard_egress",
        Target("x.test"),
        diag.configure(DIAG_FORTIGUARD_URLS=url, DIAG_TLS_CA_FILE=str(diag.http.cert)),
    )
    assert "tls" in outcome.details["timings"][0]
    assert outcome.details["endpoints"][0]["tls_version"].startswith("TLS")


def test_failure_shows_the_cli_workaround(diag):
    url = f"http://fg.test:{diag.http.closed_port}/"
    outcome = run_check("fortiguard_egress", Target("one.test"), diag.configure(DIAG_FORTIGUARD_URLS=url))
    assert outcome.gateway_commands[-3:] == [
        "config system fortiguard antispam",
        "set uri-redirect-lookup disable",
        "end",
    ]
    assert "execute nslookup name fg.test" in outcome.gateway_commands


def test_refused_address_is_never_contacted(diag):
    Handler.requests.clear()
    url = diag.http.url("/ok?refused")
    outcome = run_check(
        "fortiguard_egress", Target("x.test"), diag.configure(DIAG_FORTIGUARD_URLS=url, DIAG_ALLOW_PRIVATE="")
    )
    assert outcome.status == "error"
    assert Handler.requests == []


def test_endpoints_are_probed_concurrently(diag):
    urls = ",".join(f"http://fg.test:{diag.http.blackhole_port}/{i}" for i in range(3))
    outcome = run_check(
        "fortiguard_egress", Target("x.test"), diag.configure(DIAG_FORTIGUARD_URLS=urls, DIAG_TIMEOUT="0.5")
    )
    assert outcome.status == "fail"
    assert outcome.duration_ms < 1000


def test_without_endpoints_it_cannot_run(diag):
    outcome = run_check("fortiguard_egress", Target("x.test"), diag.configure(DIAG_FORTIGUARD_URLS=""))
    assert outcome.status == "error"
