"""Network safety, configuration parsing and domain validation (no network needed except the loopback DNS)."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diagnostics.checks.config import ConfigError, parse_config
from diagnostics.checks.domain import InvalidTarget, normalize_domain, parse_host_port
from diagnostics.checks.net import Deadline, UnsafeAddress, make_resolver, vet, vetted_addresses

OPEN = parse_config({})
LOOPBACK_ALLOWED = parse_config({"DIAG_ALLOW_PRIVATE": "127.0.0.0/8"})


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
        "224.0.0.1",
        "ff02::1",
        "192.0.2.1",  # documentation
    ],
)
def test_non_global_addresses_are_refused(address):
    with pytest.raises(UnsafeAddress):
        vet(ipaddress.ip_address(address), OPEN)


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1"])
def test_global_addresses_are_allowed(address):
    assert vet(ipaddress.ip_address(address), OPEN) == ipaddress.ip_address(address)


def test_allow_list_admits_private_ranges_but_never_multicast():
    assert str(vet(ipaddress.ip_address("127.0.0.5"), LOOPBACK_ALLOWED)) == "127.0.0.5"
    assert str(vet(ipaddress.ip_address("::ffff:127.0.0.5"), LOOPBACK_ALLOWED)) == "127.0.0.5"
    with pytest.raises(UnsafeAddress):
        vet(ipaddress.ip_address("10.0.0.1"), LOOPBACK_ALLOWED)
    with pytest.raises(UnsafeAddress, match="multicast"):
        vet(ipaddress.ip_address("224.0.0.1"), parse_config({"DIAG_ALLOW_PRIVATE": "0.0.0.0/0"}))


def test_names_resolving_to_wrapped_private_addresses_are_refused(dns_server):
    config = parse_config(
        {"DIAG_NAMESERVERS": dns_server.address, "DIAG_TIMEOUT": "1", "DIAG_ALLOW_PRIVATE": "10.0.0.0/8"}
    )
    for name in ("sixtofour.test", "nat64.test", "fg.test", "fg6.test"):
        with pytest.raises(UnsafeAddress):
            vetted_addresses(name, make_resolver(config), config, Deadline(1))


def test_resolver_uses_the_configured_nameserver_and_port(dns_server):
    config = parse_config({"DIAG_NAMESERVERS": f"{dns_server.address},[::1]:5353", "DIAG_TIMEOUT": "2"})
    resolver = make_resolver(config)
    assert [(ns.address, ns.port) for ns in resolver.nameservers] == [("127.0.0.1", dns_server.port), ("::1", 5353)]
    assert resolver.lifetime == 2.0


def test_deadline_refuses_to_hand_out_time_once_passed():
    deadline = Deadline(0.001)
    while deadline.elapsed() < 0.002:
        pass
    with pytest.raises(TimeoutError):
        deadline.remaining()


def test_config_parses_the_environment_formats():
    config = parse_config(
        {
            "DIAG_NAMESERVERS": "192.0.2.53, 192.0.2.54:5353",
            "DIAG_FORTIGUARD_URLS": "https://service.fortiguard.net/,http://fg.example:8080/x",
            "DIAG_DNSBL_ZONES": "zen.spamhaus.org.",
            "DIAG_URIBL_ZONES": "multi.surbl.org=test.surbl.org,multi.uribl.com",
            "DIAG_TIMEOUT": "2.5",
            "DIAG_ALLOW_PRIVATE": "10.0.0.0/8,fd00::/8",
            "DIAG_SMTP_PORT": "2525",
        }
    )
    assert config.nameservers == (("192.0.2.53", 53), ("192.0.2.54", 5353))
    assert config.dnsbl_zones == ("zen.spamhaus.org",)
    assert config.uribl_zones == (("multi.surbl.org", "test.surbl.org"), ("multi.uribl.com", "test"))
    assert (config.timeout, config.smtp_port, len(config.allow_private)) == (2.5, 2525, 2)


def test_default_settings_parse():
    import portal.settings as project  # the project's defaults (tests/conftest.py points tests at loopback)
    from diagnostics.checks.config import parse_config

    config = parse_config({name: getattr(project, name) for name in dir(project) if name.startswith("DIAG_")})
    assert config.fortiguard_urls[0] == "https://service.fortiguard.net/"
    assert config.timeout == 10.0 and config.smtp_port == 25


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ({"DIAG_NAMESERVERS": "dns.google"}, "DIAG_NAMESERVERS"),
        ({"DIAG_FORTIGUARD_URLS": "ftp://x.example/"}, "DIAG_FORTIGUARD_URLS"),
        ({"DIAG_FORTIGUARD_URLS": "https://user:pw@x.example/"}, "DIAG_FORTIGUARD_URLS"),
        ({"DIAG_TIMEOUT": "0"}, "DIAG_TIMEOUT"),
        ({"DIAG_TIMEOUT": "1000"}, "DIAG_TIMEOUT"),
        ({"DIAG_ALLOW_PRIVATE": "10.0.0.0/33"}, "DIAG_ALLOW_PRIVATE"),
        ({"DIAG_SMTP_PORT": "70000"}, "DIAG_SMTP_PORT"),
        ({"DIAG_DNSBL_ZONES": "localhost"}, "DIAG_DNSBL_ZONES"),
    ],
)
def test_bad_config_names_the_setting(raw, name):
    with pytest.raises(ConfigError, match=name):
        parse_config(raw)


def test_domains_are_normalized():
    assert normalize_domain(" Example.COM. ") == "example.com"
    assert normalize_domain("bücher.example") == "xn--bcher-kva.example"
    assert parse_host_port("[2001:db8::1]:2525") == ("2001:db8::1", 2525)
    assert parse_host_port("Mail.Example.com") == ("mail.example.com", None)


@given(st.text(max_size=300))
def test_any_text_is_either_a_valid_ascii_domain_or_a_clear_error(text):
    try:
        name = normalize_domain(text)
    except InvalidTarget as exc:
        assert str(exc).endswith(".")
        return
    labels = name.split(".")
    assert name.isascii() and len(name) <= 253 and len(labels) >= 2
    assert all(0 < len(label) <= 63 and not label.startswith("-") for label in labels)
    with pytest.raises(ValueError):
        ipaddress.ip_address(name)
