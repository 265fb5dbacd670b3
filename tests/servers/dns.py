"""An authoritative DNS server on 127.0.0.1 (UDP, random port) serving crafted zones, built on dnslib.

Names under a `slow` suffix answer after a delay; names under a `silent` suffix never answer; names under a
`servfail` suffix get SERVFAIL, under a `refused` suffix REFUSED; `wildcards` answer any name under a suffix.
Every query is logged in `queries` as (name, type). `silent_address` is a second loopback port that receives
queries and never answers (a dead resolver). The root's NS set is always served (the runs' vantage canary).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

from dnslib import QTYPE, RCODE, RR, DNSRecord

ZONE = """
one.test.            60 IN MX 10 mx.gw.test.
two.test.            60 IN MX 10 mx.gw.test.
two.test.            60 IN MX 20 mx2.gw.test.
foreign.test.        60 IN MX 10 mx.gw.test.
foreign.test.        60 IN MX 20 mx.elsewhere.test.
nomx.test.           60 IN A 127.0.0.50
nullmx.test.         60 IN MX 0 .
slow.test.           60 IN MX 10 mx.gw.test.
silent.test.         60 IN MX 10 mx.gw.test.
dangling.test.       60 IN MX 10 nowhere.gw.test.
mixed.test.          60 IN MX 10 mixed.gw.test.
v6stray.test.        60 IN MX 10 v6.gw.test.
literal.test.        60 IN MX 10 192.0.2.25.
literalgw.test.      60 IN MX 10 mx.gw.test.
literalgw.test.      60 IN MX 20 192.0.2.25.
nodata.test.         60 IN MX 10 nodata.gw.test.
deadmx.test.         60 IN MX 10 mx.silent.test.
nomxgw.test.         60 IN A 127.0.0.10
nothing.test.        60 IN TXT "no mail here"
nullmixed.test.      60 IN MX 0 .
nullmixed.test.      60 IN MX 10 mx.gw.test.
mx.gw.test.          60 IN A 127.0.0.10
mixed.gw.test.       60 IN A 127.0.0.10
mixed.gw.test.       60 IN A 127.0.0.99
v6.gw.test.          60 IN A 127.0.0.10
v6.gw.test.          60 IN AAAA 2001:db8::25
nodata.gw.test.      60 IN TXT "no address"
mx2.gw.test.         60 IN A 127.0.0.11
mx.elsewhere.test.   60 IN A 127.0.0.99
smtp.one.test.       60 IN A 127.0.0.10
acceptall.test.      60 IN A 127.0.0.12
tempfail.test.       60 IN A 127.0.0.13
rejectall.test.      60 IN A 127.0.0.14
stall.test.          60 IN A 127.0.0.30
closed.test.         60 IN A 127.0.0.31
fg.test.             60 IN A 127.0.0.1
fg6.test.            60 IN AAAA ::1
sixtofour.test.      60 IN AAAA 2002:7f00:1::1
nat64.test.          60 IN AAAA 64:ff9b::7f00:1
2.0.0.127.good.bl.test.   60 IN A 127.0.0.2
2.0.0.127.good.bl.test.   60 IN TXT "test entry"
2.0.0.127.slow.bl.test.   60 IN A 127.0.0.2
2.0.0.127.dead.bl.test.   60 IN A 127.0.0.2
test.good.uri.test.       60 IN A 127.0.0.2
test.slow.uri.test.       60 IN A 127.0.0.2
test.surbl.org.multi.uri.test. 60 IN A 127.0.0.2
"""
WILDCARDS = {
    "wild.bl.test.": "127.0.0.2",  # lists everything, even 127.0.0.1: broken
    "refused.bl.test.": "127.255.255.254",  # the lists' "query refused" error code
    "hijack.bl.test.": "198.51.100.7",  # a resolver that rewrites NXDOMAIN into an address of its own
}
ROOT_NS = ". 60 IN NS a.root.test."  # served whatever the zone, as every working resolver answers it
# empty.bl.test lists nothing, not even its test entry: every name under it is NXDOMAIN.


@dataclass
class LoopbackDNS:
    zone: str = ZONE
    slow: dict[str, float] = field(
        default_factory=lambda: {"slow.test.": 0.3, "slow.bl.test.": 0.3, "slow.uri.test.": 0.3}
    )
    silent: tuple[str, ...] = ("silent.test.", "dead.bl.test.")
    servfail: tuple[str, ...] = ("servfail.test.",)
    refused: tuple[str, ...] = ("refusing.test.",)
    wildcards: dict[str, str] = field(default_factory=lambda: dict(WILDCARDS))
    queries: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.records = RR.fromZone(self.zone)
        if not any(str(r.rname) == "." for r in self.records):  # like any working resolver: the vantage canary
            self.records += RR.fromZone(ROOT_NS)
        self.names = {str(r.rname).lower() for r in self.records}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.dead_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.dead_sock.bind(("127.0.0.1", 0))  # bound, never read: queries to it get no answer and no ICMP error
        self.running = False

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def silent_address(self) -> str:
        return f"127.0.0.1:{self.dead_sock.getsockname()[1]}"

    def answer(self, request: DNSRecord) -> DNSRecord | None:
        qname = str(request.q.qname).lower()
        qtype = QTYPE[request.q.qtype]
        self.queries.append((qname, qtype))
        if any(qname.endswith(suffix) for suffix in self.silent):
            return None
        delay = max((d for s, d in self.slow.items() if qname.endswith(s)), default=0.0)
        if delay:
            time.sleep(delay)
        reply = request.reply(aa=1)
        if any(qname.endswith(suffix) for suffix in self.servfail):
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        if any(qname.endswith(suffix) for suffix in self.refused):
            reply.header.rcode = RCODE.REFUSED
            return reply
        for suffix, address in self.wildcards.items():
            if qname.endswith(suffix):
                if qtype == "A":
                    reply.add_answer(*RR.fromZone(f"{qname} 60 IN A {address}"))
                return reply
        matches = [r for r in self.records if str(r.rname).lower() == qname and r.rtype == request.q.qtype]
        for record in matches:
            reply.add_answer(record)
        if not matches and qname not in self.names:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply

    def handle(self, data: bytes, client: tuple) -> None:
        try:
            reply = self.answer(DNSRecord.parse(data))
        except Exception:  # a malformed packet: ignore it like a real server would
            return
        if reply is not None and self.running:
            self.sock.sendto(reply.pack(), client)

    def serve(self) -> None:
        while self.running:
            try:
                data, client = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self.handle, args=(data, client), daemon=True).start()

    def __enter__(self) -> LoopbackDNS:
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join(1)
        self.sock.close()
        self.dead_sock.close()

    def asked(self, name: str) -> bool:
        name = name.lower().rstrip(".") + "."
        return any(q == name for q, _ in self.queries)
