import pytest

from diagnostics.checks import Target, run_check
from tests.diagnostics.scenarios import check_verdict, scenarios


@pytest.mark.parametrize("scenario", scenarios("dnsbl_latency"))
def test_verdict(diag, scenario):
    check_verdict(diag, scenario)


def test_queries_the_rfc5782_test_entries_through_the_configured_resolver(diag):
    outcome = run_check("dnsbl_latency", Target("x.test"), diag.configure())
    assert diag.dns.asked("2.0.0.127.good.bl.test") and diag.dns.asked("1.0.0.127.good.bl.test")
    assert diag.dns.asked("test.good.uri.test") and diag.dns.asked("invalid.good.uri.test")
    assert [q["answers"] for q in outcome.details["queries"]] == [["127.0.0.2"], [], ["127.0.0.2"], []]
    assert outcome.details["resolver"] == diag.dns.address


def test_slow_lists_are_timed_and_advice_given(diag):
    outcome = run_check(
        "dnsbl_latency", Target("x.test"), diag.configure(DIAG_DNSBL_ZONES="slow.bl.test", DIAG_URIBL_ZONES="")
    )
    assert min(t["dns"] for t in outcome.details["timings"]) >= 250
    assert "local caching resolver" in outcome.details["advice"]


def test_one_dead_list_does_not_starve_the_others(diag):
    config = diag.configure(DIAG_DNSBL_ZONES="dead.bl.test,good.bl.test", DIAG_TIMEOUT="0.5")
    outcome = run_check("dnsbl_latency", Target("x.test"), config)
    good = [q for q in outcome.details["queries"] if q["zone"] == "good.bl.test"]
    assert [q["status"] for q in good] == ["pass", "pass"]
    assert outcome.duration_ms < 1000


def test_without_zones_it_cannot_run(diag):
    outcome = run_check("dnsbl_latency", Target("x.test"), diag.configure(DIAG_DNSBL_ZONES="", DIAG_URIBL_ZONES=""))
    assert outcome.status == "error"
