"""Address vetting against IANA's special-purpose registries, with every IPv4-in-IPv6 form unwrapped.

Python's `is_global` alone let through IPv4-compatible `::7f00:1`, IPv4-translated `::ffff:0:7f00:1` and
site-local `fec0::/10`; the cases below are one table, checked with no address allowed privately.
"""

import ipaddress

import pytest

from diagnostics.checks import special_addresses as special
from diagnostics.checks.config import parse_config
from diagnostics.checks.net import UnsafeAddress, embedded_ipv4, vet

OPEN = parse_config({})
LOOPBACK_ALLOWED = parse_config({"DIAG_ALLOW_PRIVATE": "127.0.0.0/8,::1/128"})

# (address, the address connected to, or None when refused, what it is)
CASES = [
    ("::7f00:1", None, "IPv4-compatible 127.0.0.1"),
    ("::a00:1", None, "IPv4-compatible 10.0.0.1"),
    ("::808:808", None, "IPv4-compatible 8.8.8.8: deprecated, outside 2000::/3"),
    ("::ffff:0:7f00:1", None, "IPv4-translated 127.0.0.1"),
    ("::ffff:0:808:808", None, "IPv4-translated 8.8.8.8: SIIT-internal, outside 2000::/3"),
    ("fec0::1", None, "deprecated site-local"),
    ("feff::1", None, "site-local, top of the range"),
    ("::ffff:127.0.0.1", None, "IPv4-mapped loopback"),
    ("::ffff:8.8.8.8", "8.8.8.8", "IPv4-mapped public: connected to as IPv4"),
    ("64:ff9b::7f00:1", None, "NAT64 well-known prefix, 127.0.0.1"),
    ("64:ff9b::808:808", "64:ff9b::808:808", "NAT64 of a public address"),
    ("64:ff9b:1::808:808", None, "NAT64 local-use prefix (not globally reachable)"),
    ("64:ff9b:1::7f00:1", None, "NAT64 local-use prefix, 127.0.0.1"),
    ("2002:7f00:1::1", None, "6to4 of 127.0.0.1"),
    ("2002:c0a8:101::1", None, "6to4 of 192.168.1.1"),
    ("2002:808:808::1", "2002:808:808::1", "6to4 of a public address"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", None, "Teredo, client 127.0.0.1"),
    ("2001:0:a00:1:8000:63bf:f7f7:f7f7", None, "Teredo, server 10.0.0.1, client 8.8.8.8"),
    ("2001:0:808:808:8000:63bf:f7f7:f7f7", "2001:0:808:808:8000:63bf:f7f7:f7f7", "Teredo, public both ends"),
    ("100::1", None, "discard-only"),
    ("100:0:0:1::1", None, "dummy prefix"),
    ("2001:2::1", None, "benchmarking"),
    ("2001:10::1", None, "terminated ORCHID"),
    ("2001:db8::1", None, "documentation"),
    ("3fff::1", None, "documentation"),
    ("5f00::1", None, "SRv6 SIDs"),
    ("4000::1", None, "reserved by the IETF, outside 2000::/3"),
    ("fd00::1", None, "unique-local"),
    ("fe80::1", None, "link-local"),
    ("ff0e::1", None, "multicast"),
    ("::", None, "unspecified"),
    ("::1", None, "loopback"),
    ("2001:1::1", "2001:1::1", "PCP anycast: globally reachable inside 2001::/23"),
    ("2620:4f:8000::1", "2620:4f:8000::1", "AS112 direct delegation"),
    ("2606:4700::1111", "2606:4700::1111", "ordinary global unicast"),
    ("0.1.2.3", None, '"this network"'),
    ("100.64.0.1", None, "shared address space"),
    ("192.0.0.8", None, "IPv4 dummy address"),
    ("192.0.0.9", "192.0.0.9", "PCP anycast: globally reachable inside 192.0.0.0/24"),
    ("192.0.0.170", None, "NAT64/DNS64 discovery"),
    ("192.88.99.1", None, "terminated 6to4 relay anycast"),
    ("198.18.0.1", None, "benchmarking"),
    ("240.0.0.1", None, "reserved"),
    ("255.255.255.255", None, "limited broadcast"),
    ("224.0.0.1", None, "multicast"),
    ("192.31.196.1", "192.31.196.1", "AS112-v4"),
    ("8.8.8.8", "8.8.8.8", "ordinary public IPv4"),
]


@pytest.mark.parametrize(("address", "connected", "what"), CASES, ids=[case[0] for case in CASES])
def test_vetting_table(address, connected, what):
    if connected is None:
        with pytest.raises(UnsafeAddress, match="not a public address|multicast"):
            vet(ipaddress.ip_address(address), OPEN)
    else:
        assert vet(ipaddress.ip_address(address), OPEN) == ipaddress.ip_address(connected), what


@pytest.mark.parametrize("block", special.IPV4_SPECIAL + special.IPV6_SPECIAL, ids=lambda b: str(b.network))
def test_every_registry_row_is_applied(block):
    """Rows not globally reachable (False, or terminated) refuse their first and last address; reachable rows
    admit theirs (NAT64: carrying a public address); "N/A" rows (6to4, Teredo) leave it to the address inside."""
    first, last = block.network[0], block.network[-1]
    if block.globally_reachable == "True":
        address = first + 0x08080808 if embedded_ipv4(first) else first  # 64:ff9b::8.8.8.8
        assert vet(address, OPEN) == address
    elif block.globally_reachable == "N/A":
        assert embedded_ipv4(first) and embedded_ipv4(last)
    else:
        for address in (first, last):
            with pytest.raises(UnsafeAddress):
                vet(address, OPEN)


def test_embedded_ipv4_forms_are_unwrapped():
    ip = ipaddress.ip_address
    assert embedded_ipv4(ip("::ffff:10.1.2.3")) == [ip("10.1.2.3")]
    assert embedded_ipv4(ip("::10.1.2.3")) == [ip("10.1.2.3")]
    assert embedded_ipv4(ip("::ffff:0:10.1.2.3")) == [ip("10.1.2.3")]
    assert embedded_ipv4(ip("64:ff9b::10.1.2.3")) == [ip("10.1.2.3")]
    assert embedded_ipv4(ip("64:ff9b:1::10.1.2.3")) == [ip("10.1.2.3")]
    assert embedded_ipv4(ip("2002:a01:203::1")) == [ip("10.1.2.3")]
    assert embedded_ipv4(ip("2001:0:4136:e378:8000:63bf:80ff:fffe")) == [ip("65.54.227.120"), ip("127.0.0.1")]
    assert embedded_ipv4(ip("::1")) == [] and embedded_ipv4(ip("::")) == [] and embedded_ipv4(ip("2606::1")) == []


def test_allow_list_unwraps_too():
    ip = ipaddress.ip_address
    assert vet(ip("::7f00:5"), LOOPBACK_ALLOWED) == ip("127.0.0.5")  # an IPv4 address in IPv6 spelling
    assert vet(ip("::ffff:0:7f00:5"), LOOPBACK_ALLOWED) == ip("127.0.0.5")
    assert vet(ip("::1"), LOOPBACK_ALLOWED) == ip("::1")
    with pytest.raises(UnsafeAddress):
        vet(ip("::a00:1"), LOOPBACK_ALLOWED)
    with pytest.raises(UnsafeAddress, match="multicast"):
        vet(ip("::ffff:224.0.0.1"), parse_config({"DIAG_ALLOW_PRIVATE": "0.0.0.0/0,::/0"}))


def test_the_refusal_names_the_registry_entry():
    with pytest.raises(UnsafeAddress, match=r"::7f00:1 \(127\.0\.0\.1\).*Loopback, RFC 1122"):
        vet(ipaddress.ip_address("::7f00:1"), OPEN)
    with pytest.raises(UnsafeAddress, match="outside the global unicast range 2000::/3"):
        vet(ipaddress.ip_address("fec0::1"), OPEN)
