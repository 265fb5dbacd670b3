"""IANA's special-purpose address registries as data, and the IPv6 prefixes that carry an IPv4 address.

Sources (registry page "Last Updated" 2025-10-09; each row is (address block, name, reference, the
registry's "Globally Reachable" cell, verbatim: "True", "False", "N/A" or "" for a terminated allocation)):
- IANA IPv4 Special-Purpose Address Registry,
  https://www.iana.org/assignments/iana-ipv4-special-registry/iana-ipv4-special-registry-1.csv
- IANA IPv6 Special-Purpose Address Registry,
  https://www.iana.org/assignments/iana-ipv6-special-registry/iana-ipv6-special-registry-1.csv
- IANA IPv6 Address Space registry (https://www.iana.org/assignments/ipv6-address-space/): unicast assignments
  are limited to 2000::/3; everything else is reserved by the IETF (fec0::/10: deprecated site-local, RFC 3879;
  ::/96: deprecated IPv4-compatible, RFC 4291), unique-local, link-local or multicast.
Multicast (224.0.0.0/4, ff00::/8) has registries of its own and is refused as a whole.
Update the tables when IANA's change; tests/diagnostics/test_address_vetting.py reads one case per row.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple


class Block(NamedTuple):
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    name: str
    reference: str
    globally_reachable: str  # the registry's cell: "True", "False", "N/A" (depends on the embedded address), ""


def _blocks(rows: list[tuple[str, str, str, str]]) -> tuple[Block, ...]:
    return tuple(Block(ipaddress.ip_network(net), name, ref, reach) for net, name, ref, reach in rows)


IPV4_SPECIAL = _blocks(
    [
        ("0.0.0.0/8", '"This network"', "RFC 791", "False"),
        ("0.0.0.0/32", '"This host on this network"', "RFC 1122", "False"),
        ("10.0.0.0/8", "Private-Use", "RFC 1918", "False"),
        ("100.64.0.0/10", "Shared Address Space", "RFC 6598", "False"),
        ("127.0.0.0/8", "Loopback", "RFC 1122", "False"),
        ("169.254.0.0/16", "Link Local", "RFC 3927", "False"),
        ("172.16.0.0/12", "Private-Use", "RFC 1918", "False"),
        ("192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890", "False"),
        ("192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335", "False"),
        ("192.0.0.8/32", "IPv4 dummy address", "RFC 7600", "False"),
        ("192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723", "True"),
        ("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155", "True"),
        ("192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050", "False"),  # one row, two blocks
        ("192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050", "False"),
        ("192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737", "False"),
        ("192.31.196.0/24", "AS112-v4", "RFC 7535", "True"),
        ("192.52.193.0/24", "AMT", "RFC 7450", "True"),
        ("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", "RFC 7526", ""),
        ("192.88.99.2/32", "6a44-relay anycast address", "RFC 6751", "False"),
        ("192.168.0.0/16", "Private-Use", "RFC 1918", "False"),
        ("192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534", "True"),
        ("198.18.0.0/15", "Benchmarking", "RFC 2544", "False"),
        ("198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737", "False"),
        ("203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737", "False"),
        ("240.0.0.0/4", "Reserved", "RFC 1112", "False"),
        ("255.255.255.255/32", "Limited Broadcast", "RFC 8190, RFC 919", "False"),
    ]
)

IPV6_SPECIAL = _blocks(
    [
        ("::1/128", "Loopback Address", "RFC 4291", "False"),
        ("::/128", "Unspecified Address", "RFC 4291", "False"),
        ("::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291", "False"),
        ("64:ff9b::/96", "IPv4-IPv6 Translat.", "RFC 6052", "True"),
        ("64:ff9b:1::/48", "IPv4-IPv6 Translat.", "RFC 8215", "False"),
        ("100::/64", "Discard-Only Address Block", "RFC 6666", "False"),
        ("100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780", "False"),
        ("2001::/23", "IETF Protocol Assignments", "RFC 2928", "False"),
        ("2001::/32", "TEREDO", "RFC 4380, RFC 8190", "N/A"),
        ("2001:1::1/128", "Port Control Protocol Anycast", "RFC 7723", "True"),
        ("2001:1::2/128", "Traversal Using Relays around NAT Anycast", "RFC 8155", "True"),
        ("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", "True"),
        ("2001:2::/48", "Benchmarking", "RFC 5180", "False"),
        ("2001:3::/32", "AMT", "RFC 7450", "True"),
        ("2001:4:112::/48", "AS112-v6", "RFC 7535", "True"),
        ("2001:10::/28", "Deprecated (previously ORCHID)", "RFC 4843", ""),
        ("2001:20::/28", "ORCHIDv2", "RFC 7343", "True"),
        ("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", "True"),
        ("2001:db8::/32", "Documentation", "RFC 3849", "False"),
        ("2002::/16", "6to4", "RFC 3056", "N/A"),
        ("2620:4f:8000::/48", "Direct Delegation AS112 Service", "RFC 7534", "True"),
        ("3fff::/20", "Documentation", "RFC 9637", "False"),
        ("5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602", "False"),
        ("fc00::/7", "Unique-Local", "RFC 4193, RFC 8190", "False"),
        ("fe80::/10", "Link-Local Unicast", "RFC 4291", "False"),
    ]
)

# IPv6 Address Space registry: the only range IANA assigns unicast addresses from.
IPV6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")

# IPv6 prefixes whose address carries an IPv4 address.
IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")  # RFC 4291 2.5.5.2: the IPv4 address itself
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291 2.5.5.1, deprecated
IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # RFC 2765 2.1 (SIIT), obsoleted by RFC 6145
NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: IPv4 address in the last 32 bits
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215; /96 sub-prefixes carry it at the end
SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")  # RFC 3056: bits 16-47
TEREDO = ipaddress.IPv6Network("2001::/32")  # RFC 4380: server in bits 32-63, client (inverted) in the last 32
