import pytest

from diagnostics.checks import Mode, Target, run_check
from tests.diagnostics.scenarios import check_verdict, scenarios


@pytest.mark.parametrize("scenario", scenarios("mx_records"))
def test_verdict(diag, scenario):
    check_verdict(diag, scenario)


def test_records_and_resolver_are_in_details(diag):
    outcome = run_check("mx_records", Target("two.test", ("mx.gw.test", "mx2.gw.test")), diag.configure())
    assert outcome.details["resolver"] == diag.dns.address
    assert [(r["preference"], r["exchange"], r["addresses"]) for r in outcome.details["records"]] == [
        (10, "mx.gw.test", ["127.0.0.10"]),
        (20, "mx2.gw.test", ["127.0.0.11"]),
    ]


def test_slow_answer_shows_in_dns_timing(diag):
    outcome = run_check("mx_records", Target("slow.test", ("mx.gw.test",)), diag.configure())
    assert outcome.details["timings"][0]["dns"] >= 250


def test_no_answer_says_how_long_it_waited_and_stops_at_the_timeout(diag):
    outcome = run_check("mx_records", Target("silent.test", ("mx.gw.test",)), diag.configure(DIAG_TIMEOUT="0.5"))
    assert outcome.status == "warn" and "within the portal's limit of 0.5 s" in outcome.summary
    assert 450 <= outcome.duration_ms < 1200


def test_adhoc_domain_with_one_mx_passes_without_comparing(diag):
    outcome = run_check("mx_records", Target("one.test"), diag.configure())
    assert outcome.status == "pass"
    assert "not compared" in outcome.summary


def test_adhoc_domain_with_two_mx_warns(diag):
    assert run_check("mx_records", Target("two.test"), diag.configure()).status == "warn"


def test_transparent_mode_does_not_require_mx_to_reach_the_gateway(diag):
    target = Target("foreign.test", ("mx.gw.test",), mode=Mode.TRANSPARENT)
    assert run_check("mx_records", target, diag.configure()).status == "pass"


def test_gateway_addresses_compare_in_canonical_form(diag):
    target = Target("v6stray.test", ("127.0.0.10", "2001:DB8:0:0::25"))
    outcome = run_check("mx_records", target, diag.configure())
    assert outcome.status == "pass", outcome.summary
    assert outcome.details["gateway"]["addresses"] == ["127.0.0.10", "2001:db8::25"]


def test_every_exchange_is_judged_and_the_summary_counts_the_others(diag):
    outcome = run_check("mx_records", Target("literalgw.test", ("192.0.2.25",)), diag.configure())
    assert outcome.status == "fail"
    assert [(r["exchange"], r["status"]) for r in outcome.details["records"]] == [
        ("mx.gw.test", "fail"),
        ("192.0.2.25", "fail"),
    ]
    assert outcome.summary.startswith("The MX mx.gw.test (preference 10) of literalgw.test (127.0.0.10) does not reach")
    assert outcome.summary.endswith("(1 more MX problem in the details.)")
