"""The reader and the line parser: every form, syslog prefixes, classifiers, and hostile input."""

import gzip
import io
import zlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from logs import parse
from logs.parse import UnusableInput, parse_line, read_blocks

from .conftest import FIXTURES


def test_key_value_form():
    line = (FIXTURES / "history_kv.log").read_text().splitlines()[0]
    record = parse_line(line)
    assert record.time == datetime(2026, 11, 28, 10, 0, 1, tzinfo=UTC)
    assert record.log_type == "history"
    assert record.session_id == "5ASA0001-5ASA0001"
    assert record.sender == "alice@sender.example"
    assert record.recipient == "bob@example.com"
    assert record.client_ip == "198.51.100.20"
    assert record.classifier == "Grey List"  # 0x12 in words


def test_classifier_in_words_and_bypass_code():
    lines = (FIXTURES / "history_kv.log").read_text().splitlines()
    assert parse_line(lines[1]).classifier == "Grey List"
    assert parse_line(lines[2]).classifier == "Bypass Scan On Auth"


def test_header_form_with_time_zone():
    line = (FIXTURES / "event_v8.log").read_text().splitlines()[-1]
    record = parse_line(line)
    assert record.time == datetime(2026, 5, 20, 15, 28, 32, 278000, tzinfo=timezone(-timedelta(hours=4)))
    assert record.log_type == "event"  # kevent
    assert record.msg.startswith("User admin logged in")


@pytest.mark.parametrize("index", [2, 3, 4])
def test_syslog_prefixes(index):
    """<PRI> alone, with an RFC 3164 header and with an RFC 5424 header."""
    line = (FIXTURES / "event_v8.log").read_text().splitlines()[index]
    record = parse_line(line)
    assert record is not None
    assert record.time.year == 2026 and record.time.hour == 11
    assert record.session_id.startswith("5ASB000")


def test_comma_separated_form():
    line = (FIXTURES / "antispam_csv.log").read_text().splitlines()[0]
    record = parse_line(line)
    assert record.time == datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
    assert record.log_type == "antispam"
    assert record.recipient == "kim@example.com"
    assert record.msg == "Detected by BannedWord test"


def test_antivirus_with_pri_prefix():
    record = parse_line((FIXTURES / "antivirus_kv.log").read_text().splitlines()[0])
    assert record.log_type == "antivirus"
    assert "infected" in record.msg


@pytest.mark.parametrize("line", ["this line is not a FortiMail log line at all", "", "date=2026 time=x log_id=1"])
def test_not_understood(line):
    assert parse_line(line) is None


def blocks(data: bytes, **kwargs):
    return list(read_blocks(io.BytesIO(data), **kwargs))


def test_blocks_hold_whole_lines():
    data = b"".join(b"line %d log_id=1\n" % i for i in range(1000))
    found = blocks(data, block_size=100)
    assert sum(b.lines for b in found) == 1000
    assert all(b.text.endswith(b"\n") for b in found)
    assert b"".join(b.text for b in found) == data


def test_last_line_without_newline():
    found = blocks(b"a log_id=1\nb log_id=2")
    assert sum(b.lines for b in found) == 2


def test_huge_line_is_counted_not_held():
    """A 10 MB line is skipped while read (never held whole) and counted; the lines around it are kept."""
    data = b"before log_id=1\n" + b"x" * (10 << 20) + b"\nafter log_id=2\n"
    found = blocks(data, block_size=1 << 16)
    assert sum(b.too_long for b in found) == 1
    text = b"".join(b.text for b in found)
    assert text == b"before log_id=1\nafter log_id=2\n"


def test_long_line_inside_one_block():
    data = b"a\n" + b"y" * 200 + b"\nb\n"
    found = blocks(data, block_size=4096, max_line=100)
    assert sum(b.too_long for b in found) == 1
    assert b"".join(b.text for b in found) == b"a\nb\n"


def test_gzip():
    data = b"".join(b"line %d log_id=1\n" % i for i in range(5000))
    found = blocks(gzip.compress(data))
    assert b"".join(b.text for b in found) == data


def test_broken_gzip():
    packed = gzip.compress(b"date=2026-11-28 time=10:00:00 log_id=1\n" * 10000)
    with pytest.raises(UnusableInput, match="broken or truncated"):
        blocks(packed[: len(packed) // 2])


def test_zip_bomb(monkeypatch):
    monkeypatch.setattr(parse, "MAX_RATIO_FREE", 1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    packed = compressor.compress(b"\n" * (64 << 20)) + compressor.flush()
    assert len(packed) < 1 << 20
    with pytest.raises(UnusableInput, match="zip bomb"):
        blocks(packed)


def test_decompressed_size_bound():
    packed = gzip.compress(b"a log_id=1\n" * 100_000)
    with pytest.raises(UnusableInput, match="expands to more than"):
        blocks(packed, max_bytes=1000)


def test_binary_input():
    with pytest.raises(UnusableInput, match="binary file"):
        blocks(bytes(range(256)) * 100)


def test_binary_inside_gzip():
    with pytest.raises(UnusableInput, match="binary file"):
        blocks(gzip.compress(b"\x00\x01\x02" * 1000))
