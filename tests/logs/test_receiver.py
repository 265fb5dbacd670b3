"""The syslog receiver on loopback: UDP and TCP (octet counting and newline framing), allowlist, bounded queue."""

import socket
import time

import pytest

from logs import synthetic
from logs.analysis import Matcher
from logs.receiver import Receiver, parse_address

from .conftest import FIXTURES


@pytest.fixture
def receiver(guide):
    made = []

    def make(**kwargs):
        kwargs.setdefault("udp", ("127.0.0.1", 0))
        kwargs.setdefault("tcp", ("127.0.0.1", 0))
        r = Receiver(Matcher.from_kb(), kwargs.pop("allow", ["127.0.0.1"]), **kwargs)
        r.start()
        made.append(r)
        return r

    yield make
    for r in made:
        r.stop()


def test_udp_and_tcp_framings(receiver):
    r = receiver()
    lines = (FIXTURES / "event_v8.log").read_bytes().splitlines()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        for line in lines[:2]:
            udp.sendto(b"<22>" + line, r.addresses["udp"])
    with socket.create_connection(r.addresses["tcp"], timeout=5) as tcp:
        framed = b"<22>" + lines[2]
        tcp.sendall(b"%d " % len(framed) + framed)  # octet counting (RFC 6587)
        tcp.sendall(lines[3] + b"\n" + lines[4] + b"\n")  # newline framing
    assert r.wait_until_analysed(5)
    summary = r.analysis.summary()
    assert summary["lines"] == 5 and summary["unparsed"] == 0
    assert {p["kb"] for p in summary["problems"]} == {"KB-0006", "KB-0007", "KB-0008"}


def test_sender_not_allowed(receiver):
    r = receiver(allow=["192.0.2.10"])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"<22>hello log_id=1", r.addresses["udp"])
    deadline = time.monotonic() + 5
    while r.counters.dropped_sender < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert r.counters.dropped_sender == 1 and r.counters.received == 0


def test_bounded_queue_drops_and_counts(guide):
    r = Receiver(Matcher.from_kb(), ["127.0.0.1"], udp=("127.0.0.1", 0), queue_size=3)
    r.start(worker=False)  # nothing takes messages out: the queue fills
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            for index in range(5):
                udp.sendto(b"<22>line %d log_id=1" % index, r.addresses["udp"])
        deadline = time.monotonic() + 5
        while r.counters.received < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert r.counters.received == 5
        assert r.queue.qsize() == 3 and r.counters.dropped_full == 2
    finally:
        r.stop()


def test_tcp_keeps_up_without_loss(receiver):
    """Every line sent over TCP is analysed (count sent = count analysed)."""
    r = receiver(udp=None)
    lines = [line.encode() for line in synthetic.lines(20_000)]
    payload = b"".join(b"%d %s" % (len(line), line) for line in lines)
    with socket.create_connection(r.addresses["tcp"], timeout=10) as tcp:
        tcp.sendall(payload)
    assert r.wait_until_analysed(20_000, timeout=60)
    assert r.analysis.summary()["lines"] == 20_000 and r.counters.dropped_full == 0


@pytest.mark.parametrize("value", ["localhost:5514", "127.0.0.1:99999", "127.0.0.1:٥٥", "127.0.0.1"])
def test_bad_addresses(value):
    with pytest.raises(ValueError):
        parse_address(value)


def test_command_runs_and_saves(guide, capsys):
    from django.core.management import call_command

    from logs.models import LogAnalysis

    call_command("syslog_receiver", "--udp", "127.0.0.1:0", "--duration", "0.3")
    out = capsys.readouterr().out
    assert "listening on udp 127.0.0.1:" in out and "received 0" in out
    row = LogAnalysis.objects.get(source="syslog receiver")
    assert row.status == LogAnalysis.Status.DONE and row.summary["lines"] == 0
