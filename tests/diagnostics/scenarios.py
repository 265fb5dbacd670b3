# ruff: noqa: E501 - the scenario table reads best one scenario a line
"""Every scenario of the loopback servers with its expected verdict, asserted through the check,
the `diagnose` command and the pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from diagnostics.checks import Target
from diagnostics.checks.domain import parse_host_port
from tests.servers.fixtures import Diag


@dataclass(frozen=True)
class Scenario:
    id: str
    check: str
    domain: str
    status: str
    summary_has: str
    articles: tuple[str, ...]
    gateways: tuple[str, ...] = ()
    smtp: str = ""
    valid_recipient: str = ""
    settings: Callable[[Diag], dict[str, str]] | None = None
    needs_tls: bool = False
    summary_lacks: str = ""  # wording that would blame the wrong party

    def overrides(self, diag: Diag) -> dict[str, str]:
        if self.needs_tls and not diag.http.tls_port:
            pytest.fail("no openssl binary to make a test certificate (apt-get install openssl)")
        return self.settings(diag) if self.settings else {}

    def target(self) -> Target:
        host, port = parse_host_port(self.smtp) if self.smtp else ("", None)
        return Target(self.domain, self.gateways, host, port, valid_recipient=self.valid_recipient)

    def command_args(self) -> list[str]:
        args = [self.domain, "--check", self.check, "--json"]
        for gateway in self.gateways:
            args += ["--gateway", gateway]
        if self.smtp:
            args += ["--smtp", self.smtp]
        return args


def urls(*paths: str, scheme: str = "http") -> Callable[[Diag], dict[str, str]]:
    def make(diag: Diag) -> dict[str, str]:
        ports = {"closed": diag.http.closed_port, "blackhole": diag.http.blackhole_port}
        built = []
        for path in paths:
            if path in ports:
                built.append(f"http://fg.test:{ports[path]}/")
            elif scheme == "https":
                built.append(f"https://fg.test:{diag.http.tls_port}{path}")
            else:
                built.append(diag.http.url(path))
        return {"DIAG_FORTIGUARD_URLS": ",".join(built)}

    return make


def dead_resolver(diag: Diag) -> dict[str, str]:
    """DIAG_NAMESERVERS on a loopback port that receives queries and never answers."""
    return {"DIAG_NAMESERVERS": diag.dns.silent_address}


def blind_resolver(canary: str = "no-such-canary.test") -> Callable[[Diag], dict[str, str]]:
    """A resolver that answers, but NXDOMAIN (or SERVFAIL under servfail.test) for the canary."""
    return lambda diag: {"DIAG_CANARY_NAME": canary}


def ip_urls(diag: Diag) -> dict[str, str]:
    return {**dead_resolver(diag), "DIAG_FORTIGUARD_URLS": diag.http.url("/ok", host="127.0.0.1")}


def trusted(diag: Diag) -> dict[str, str]:
    return {**urls("/ok", scheme="https")(diag), "DIAG_TLS_CA_FILE": str(diag.http.cert)}


def zones(dnsbl: str = "", uribl: str = "") -> Callable[[Diag], dict[str, str]]:
    return lambda diag: {"DIAG_DNSBL_ZONES": dnsbl, "DIAG_URIBL_ZONES": uribl}


GW = ("mx.gw.test",)
MX, FG, BL = "mx_records", "fortiguard_egress", "dnsbl_latency"
SMTP, RELAY = "smtp_recipient_verification", "relay_denied"
KB_SMTP_FAIL = ("KB-0006", "KB-0005")

SCENARIOS = [
    # The vantage point: a resolver that does not answer, or answers without a view of the DNS.
    Scenario("vantage-dead-mx", MX, "one.test", "error", "The portal cannot test from here: its resolver 127.0.0.1:", (), GW,
             settings=dead_resolver, summary_lacks="one.test"),
    Scenario("vantage-dead-mx-nxdomain", MX, "nosuch.test", "error", "does not answer (no reply to . NS within 1 s)", (), GW,
             settings=dead_resolver, summary_lacks="does not exist"),
    Scenario("vantage-dead-fg", FG, "one.test", "error", "cannot test from here", (), settings=dead_resolver,
             summary_lacks="FortiGuard"),
    Scenario("vantage-dead-fg-by-ip", FG, "one.test", "pass", "answered", ("KB-0008",), settings=ip_urls),
    Scenario("vantage-dead-bl-is-its-finding", BL, "one.test", "fail", "answered none of the 4 blocklist queries", ("KB-0007",),
             settings=dead_resolver, summary_lacks="wildcarded"),
    Scenario("vantage-dead-smtp", SMTP, "one.test", "error", "cannot test from here", (), smtp="smtp.one.test",
             settings=dead_resolver),
    Scenario("vantage-dead-relay", RELAY, "one.test", "error", "cannot test from here", (), GW, settings=dead_resolver),
    Scenario("vantage-dead-relay-by-ip", RELAY, "one.test", "pass", "refuses to relay", ("KB-0001",), ("127.0.0.10",),
             settings=dead_resolver),
    Scenario("vantage-blind-mx", MX, "one.test", "error", "has no view of the DNS (NXDOMAIN for no-such-canary.test, a name", (), GW,
             settings=blind_resolver()),
    Scenario("vantage-blind-bl", BL, "one.test", "error", "has no view of the DNS", (), settings=blind_resolver(),
             summary_lacks="wildcarded"),
    Scenario("vantage-servfail-fg", FG, "one.test", "error", "has no view of the DNS (SERVFAIL", (),
             settings=blind_resolver("canary.servfail.test")),
    Scenario("vantage-servfail-relay", RELAY, "one.test", "error", "has no view of the DNS (SERVFAIL", (), GW,
             settings=blind_resolver("canary.servfail.test")),
    Scenario("mx-one", MX, "one.test", "pass", "has one MX record and every address of it is the FortiMail", ("KB-0002",), GW),
    Scenario("mx-one-gateway-ip", MX, "one.test", "pass", "every address of it is the FortiMail", ("KB-0002",), ("127.0.0.10",)),
    Scenario("mx-two", MX, "two.test", "warn", "recommends keeping only one", ("KB-0002",), ("mx.gw.test", "mx2.gw.test")),
    Scenario("mx-foreign", MX, "foreign.test", "fail", "mx.elsewhere.test (preference 20) of foreign.test (127.0.0.99) does not reach the FortiMail", ("KB-0002",), GW),
    Scenario("mx-mixed-addresses", MX, "mixed.test", "fail", "also to 127.0.0.99, which is not a gateway address", ("KB-0002",), GW),
    Scenario("mx-stray-ipv6", MX, "v6stray.test", "fail", "also to 2001:db8::25", ("KB-0002",), GW),
    Scenario("mx-ip-literal", MX, "literal.test", "fail", "192.0.2.25 (preference 10) of literal.test is an IP address, not a host name", ("KB-0002",), ("192.0.2.25",)),
    Scenario("mx-ip-literal-backup", MX, "literalgw.test", "fail", "192.0.2.25 (preference 20) of literalgw.test is an IP address", ("KB-0002",), GW),
    Scenario("mx-gateway-misspelt", MX, "one.test", "error", "The gateway mx.gw-typo.test configured for one.test does not resolve", (), ("mx.gw-typo.test",)),
    Scenario("mx-gateway-no-answer", MX, "one.test", "error", "gw.silent.test configured for one.test could not be resolved (no answer within the portal's limit", (), ("gw.silent.test",)),
    Scenario("mx-gateway-misspelt-among-two", MX, "foreign.test", "error", "mx.gw-typo.test", (), ("mx.gw.test", "mx.gw-typo.test")),
    Scenario("mx-none-a-elsewhere", MX, "nomx.test", "fail", "127.0.0.50 is not the FortiMail", ("KB-0002",), GW),
    Scenario("mx-none-a-is-gateway", MX, "nomxgw.test", "warn", "which is the FortiMail (implicit MX", ("KB-0002",), GW),
    Scenario("mx-none-no-address", MX, "nothing.test", "fail", "has no MX record and no address", ("KB-0002",), GW),
    Scenario("mx-nxdomain", MX, "nosuch.test", "fail", "does not exist in DNS", ("KB-0002",), GW),
    Scenario("mx-servfail", MX, "broken.servfail.test", "fail", "cannot be resolved (no name server answered usefully", ("KB-0002",), GW),
    Scenario("mx-null", MX, "nullmx.test", "fail", "null MX (0 .), which declares that it accepts no mail (RFC 7505)", ("KB-0002",), GW),
    Scenario("mx-null-mixed", MX, "nullmixed.test", "fail", "mixes a null MX", ("KB-0002",), GW),
    Scenario("mx-slow-answer", MX, "slow.test", "pass", "every address of it is the FortiMail", ("KB-0002",), GW),
    Scenario("mx-no-answer", MX, "silent.test", "warn", "within the portal's limit of 1 s (DIAG_TIMEOUT)", ("KB-0002",), GW),
    Scenario("mx-dangling", MX, "dangling.test", "fail", "nowhere.gw.test (preference 10) of dangling.test has no address (the name does not exist", ("KB-0002",), GW),
    Scenario("mx-dangling-adhoc", MX, "dangling.test", "fail", "so mail cannot be delivered to it", ("KB-0002",)),
    Scenario("mx-no-address-record", MX, "nodata.test", "fail", "has no address (no A or AAAA record)", ("KB-0002",), GW),
    Scenario("mx-exchange-no-answer", MX, "deadmx.test", "warn", "Inconclusive: the address of the MX mx.silent.test (preference 10) of deadmx.test could not be looked up: no answer within the portal's limit of 1 s", ("KB-0002",), GW),
    Scenario("fg-reachable", FG, "one.test", "pass", "All 1 FortiGuard endpoints answered", ("KB-0008",)),
    Scenario("fg-403", FG, "one.test", "fail", "HTTP 403", ("KB-0008",), settings=urls("/ok", "/forbidden")),
    Scenario("fg-503", FG, "one.test", "warn", "server error", ("KB-0008",), settings=urls("/broken")),
    Scenario("fg-closed", FG, "one.test", "fail", "connection refused; the connection was actively refused", ("KB-0008",),
             settings=urls("closed"), summary_lacks="time out"),
    Scenario("fg-no-answer", FG, "one.test", "fail", "within the portal's limit of 1 s (DIAG_TIMEOUT)", ("KB-0008",),
             settings=urls("blackhole")),
    Scenario("fg-no-answer-same-path", FG, "one.test", "fail", "its FortiGuard requests time out the same way", ("KB-0008",),
             settings=urls("blackhole")),
    Scenario("fg-all-nxdomain", FG, "one.test", "error", "The portal cannot test from here: its resolver", (),
             settings=lambda diag: {"DIAG_FORTIGUARD_URLS": diag.http.url("/ok", host="nosuch-fg.test")}),
    Scenario("fg-one-nxdomain", FG, "one.test", "error", "could not be tested: nosuch-fg.test (DNS lookup: the name does not exist", ("KB-0008",),
             settings=lambda diag: {"DIAG_FORTIGUARD_URLS": f"{diag.http.url('/ok')},{diag.http.url('/ok', host='nosuch-fg.test')}"}),
    Scenario("fg-tls-trusted", FG, "one.test", "pass", "answered", ("KB-0008",), settings=trusted, needs_tls=True),
    Scenario(
        "fg-tls-untrusted", FG, "one.test", "fail", "the certificate is not trusted here: a TLS-inspecting proxy", ("KB-0008",),
        settings=urls("/ok", scheme="https"), needs_tls=True, summary_lacks="time out",
    ),
    Scenario("fg-private-refused", FG, "one.test", "error", "not a public address", ("KB-0008",),
             settings=lambda diag: {"DIAG_ALLOW_PRIVATE": ""}),
    Scenario("bl-correct", BL, "one.test", "pass", "answered their test entries correctly", ("KB-0007",)),
    Scenario("bl-slow", BL, "one.test", "warn", "slow", ("KB-0007",), settings=zones("slow.bl.test", "slow.uri.test")),
    Scenario("bl-no-answer", BL, "one.test", "fail", "dead.bl.test: no answer within the portal's limit of 1 s", ("KB-0007",),
             settings=zones("good.bl.test,dead.bl.test")),
    Scenario("bl-rewritten", BL, "one.test", "error", "outside 127.0.0.0/8", ("KB-0007",), settings=zones("hijack.bl.test"),
             summary_lacks="wildcarded"),
    Scenario("bl-wildcard", BL, "one.test", "fail", "must never be listed", ("KB-0007",), settings=zones("wild.bl.test")),
    Scenario("bl-empty", BL, "one.test", "fail", "does not list its test entry 2.0.0.127.empty.bl.test", ("KB-0007",),
             settings=zones("empty.bl.test"), summary_lacks="wildcarded"),
    Scenario("bl-error-code", BL, "one.test", "fail", "127.255.255.254", ("KB-0007",), settings=zones("refused.bl.test")),
    Scenario("bl-uri-test-name", BL, "one.test", "pass", "correctly", ("KB-0007",),
             settings=zones(uribl="multi.uri.test=test.surbl.org")),
    Scenario("smtp-550", SMTP, "one.test", "pass", "accepts the known-valid recipient and rejects an unknown one (550", ("KB-0005",), smtp="smtp.one.test",
             valid_recipient="valid@one.test"),
    Scenario("smtp-550-alone", SMTP, "one.test", "pass", "rejects unknown recipients (550 5.1.1", ("KB-0005",), smtp="smtp.one.test"),
    Scenario("smtp-relay-wording", SMTP, "other.test", "fail", "refuses the domain's recipients as relaying", ("KB-0005",),
             smtp="smtp.one.test"),
    Scenario("smtp-250", SMTP, "acceptall.test", "warn", "accepts mail for any address", ("KB-0009",), smtp="acceptall.test"),
    Scenario("smtp-451", SMTP, "tempfail.test", "warn", "deferred the unknown recipient (451", KB_SMTP_FAIL, smtp="tempfail.test"),
    Scenario("smtp-451-valid", SMTP, "tempfail.test", "warn", "deferred the known-valid recipient (451", KB_SMTP_FAIL,
             smtp="tempfail.test", valid_recipient="valid@tempfail.test"),
    Scenario("smtp-rejects-both-alike", SMTP, "rejectall.test", "warn", "rejected the known-valid and the unknown recipient the same way",
             ("KB-0009", "KB-0005"), smtp="rejectall.test", valid_recipient="valid@rejectall.test"),
    Scenario("smtp-stall", SMTP, "stall.test", "warn", "the portal stopped waiting for its greeting", KB_SMTP_FAIL, smtp="stall.test"),
    Scenario("smtp-unexplained", SMTP, "one.test", "warn", "without saying why", ("KB-0005",), smtp="127.0.0.16"),
    Scenario("smtp-hangup", SMTP, "one.test", "warn", "ended the session before answering with its greeting", KB_SMTP_FAIL, smtp="127.0.0.32"),
    Scenario("smtp-nxdomain", SMTP, "one.test", "fail", "could not be resolved", KB_SMTP_FAIL, smtp="nosuch.test"),
    Scenario("smtp-421", SMTP, "closing.test", "warn", "closed the session (421", KB_SMTP_FAIL, smtp="127.0.0.15"),
    Scenario("smtp-refused", SMTP, "closed.test", "fail", "refused the connection", KB_SMTP_FAIL, smtp="closed.test"),
    Scenario("relay-550", RELAY, "one.test", "pass", "refuses to relay between outside domains (550 5.7.1", ("KB-0001",), GW),
    Scenario("relay-250", RELAY, "acceptall.test", "fail", "open relay", ("KB-0001",), ("acceptall.test",)),
    Scenario("relay-451", RELAY, "tempfail.test", "warn", "Inconclusive", ("KB-0001",), ("tempfail.test",)),
    Scenario("relay-stall", RELAY, "stall.test", "warn", "the portal stopped waiting for its greeting", ("KB-0001",), ("stall.test",)),
    Scenario("relay-refused", RELAY, "closed.test", "fail", "refused the connection", ("KB-0001",), ("127.0.0.31",)),
    Scenario("relay-unexplained", RELAY, "one.test", "warn", "without saying whether the recipient or the probe was refused", ("KB-0001",), ("127.0.0.16",)),
    Scenario("relay-421", RELAY, "closing.test", "warn", "closed the session (421", ("KB-0001",), ("127.0.0.15",)),
]  # fmt: skip


def scenarios(check: str | None = None) -> list:
    return [pytest.param(s, id=s.id) for s in SCENARIOS if check is None or s.check == check]


def check_verdict(diag: Diag, scenario: Scenario):
    """Run the scenario's check directly and assert its verdict; returns the outcome."""
    from diagnostics.checks import run_check

    config = diag.configure(**scenario.overrides(diag))
    outcome = run_check(scenario.check, scenario.target(), config)
    assert (outcome.status, outcome.articles) == (scenario.status, list(scenario.articles)), outcome.summary
    assert scenario.summary_has in outcome.summary, outcome.summary
    assert not scenario.summary_lacks or scenario.summary_lacks not in outcome.summary, outcome.summary
    assert outcome.tested_from and outcome.details["tested_from"] == outcome.tested_from
    return outcome
