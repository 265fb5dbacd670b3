"""Reading FortiMail log exports: bounded blocks of whole lines from plain or gzip files, and one line's fields.

Formats (FortiMail log reference): the key=value form (`date=2026-11-28 time=10:00:01 device_id=FE... log_id=...
type=statistics ...`), the 8.0 header form (`2026-05-20 15:28:32.278 eventtime=1779305312278 tz="-0400"
log_id=...`), the comma-separated form (`comma-separated-value enable`: the same pairs joined by commas), each with
or without a syslog prefix (`<187>`, optionally followed by an RFC 3164 or RFC 5424 header).

Reading is streamed: `read_blocks()` yields text blocks of whole lines (about BLOCK_SIZE characters) and never
holds more than one block and one line of at most MAX_LINE bytes. A longer line is skipped while it is read and
counted as unparsed. Gzip input is decompressed with a bound on the decompressed size and on the ratio to the
compressed bytes read (zip bombs); binary input is refused with a clear message.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import BinaryIO

BLOCK_SIZE = 1 << 20  # bytes read at a time
MAX_LINE = 64 * 1024  # a longer line is counted as unparsed and never held whole
MAX_DECOMPRESSED = 4 << 30  # bytes a gzip file may expand to
MAX_RATIO = 200  # ... and at most this many times the compressed bytes read (past the first MAX_RATIO_FREE bytes)
MAX_RATIO_FREE = 64 << 20
GZIP_MAGIC = b"\x1f\x8b"

# Classifier codes of history (statistics) logs, in hex as in downloaded files or in words as on the GUI/syslog.
CLASSIFIERS = {
    "0x12": "Grey List",
    "0x13": "Bypass Scan On Auth",
    "0x05": "RBL",
    "0x07": "FortiGuard AntiSpam",
    "0x17": "Session Limits",
    "0x26": "Recipient Verification",
    "0x34": "AntiVirus",
    "0x36": "SMTP Auth Failure",
    "0x37": "Access Control List Reject",
    "0x39": "Access Control List Bypass",
}

LOG_TYPES = {
    "statistics": "history",
    "history": "history",
    "event": "event",
    "kevent": "event",
    "spam": "antispam",
    "antispam": "antispam",
    "virus": "antivirus",
    "antivirus": "antivirus",
    "encrypt": "encryption",
}

SYSLOG_PREFIX_RE = re.compile(
    r"<\d{1,3}>(?:\d{1,2} \S+ \S+ \S+ \S+ \S+ (?:-|(?:\[[^\]]*\])+) ?"  # RFC 5424: VERSION TIME HOST APP PROC MSGID SD
    r"|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ (?:[\w\-/.]+(?:\[\d+\])?: )?)?"  # RFC 3164: TIMESTAMP HOST TAG:
)
HEADER_TIME_RE = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?[ ,]")
PAIR_RE = re.compile(r'(\w+)=("[^"]*"|[^\s,"]*)')
TZ_RE = re.compile(r"^([+-])(\d\d):?(\d\d)$")


class UnusableInput(ValueError):
    """Input that cannot be analysed at all (binary, broken gzip, too large); the message says why."""


@dataclass
class Record:
    """One understood log line."""

    time: datetime | None
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def log_type(self) -> str:
        return LOG_TYPES.get(self.fields.get("type", "").lower(), self.fields.get("type", ""))

    @property
    def session_id(self) -> str:
        return self.fields.get("session_id", "")

    @property
    def msg(self) -> str:
        return self.fields.get("msg", "")

    @property
    def sender(self) -> str:
        return self.fields.get("from", "")

    @property
    def recipient(self) -> str:
        return self.fields.get("to", "")

    @property
    def client_ip(self) -> str:
        value = self.fields.get("client_ip") or self.fields.get("client_name", "")
        return value.strip("[]")

    @property
    def classifier(self) -> str:
        """The classifier in words (`Grey List`), whether the line wrote it as a hex code or in words."""
        value = self.fields.get("classifier", "")
        return CLASSIFIERS.get(value.lower(), value)


def _tz(value: str) -> timezone:
    match = TZ_RE.match(value.strip())
    if not match:
        return UTC
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta >= timedelta(hours=24):
        return UTC
    return timezone(-delta if sign == "-" else delta)


def parse_time(date: str, clock: str, micro: str | None, tz: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(f"{date}T{clock}")
    except ValueError:
        return None
    if micro:
        moment = moment.replace(microsecond=int(micro.ljust(6, "0")))
    return moment.replace(tzinfo=_tz(tz))


def strip_prefix(line: str) -> str:
    """The line without a syslog prefix (`<187>`, with an RFC 3164 or 5424 header after it)."""
    if line.startswith("<"):
        match = SYSLOG_PREFIX_RE.match(line)
        if match:
            return line[match.end() :]
    return line


def parse_line(line: str) -> Record | None:
    """The line's fields and time, or None when it is not a FortiMail log line (no log_id, no time)."""
    body = strip_prefix(line.strip())
    header = HEADER_TIME_RE.match(body)
    rest = body[header.end() :] if header else body
    fields: dict[str, str] = {}
    for key, value in PAIR_RE.findall(rest):
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            value = value[1:-1]
        fields.setdefault(key.lower(), value)
    if "log_id" not in fields:
        return None
    tz = fields.get("tz", "")
    if header:
        moment = parse_time(header.group(1), header.group(2), header.group(3), tz)
    elif "date" in fields and "time" in fields:
        clock, _, micro = fields["time"].partition(".")
        moment = parse_time(fields["date"], clock, micro or None, tz)
    else:
        moment = None
    if moment is None and not fields.get("eventtime", "").isdigit():
        return None
    if moment is None:  # eventtime alone: epoch milliseconds (seconds if short)
        stamp = int(fields["eventtime"][:16])
        seconds = stamp / 1000 if stamp > 10**11 else stamp
        try:
            moment = datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return Record(moment, fields)


def looks_binary(sample: bytes) -> bool:
    """NUL bytes, or many control bytes, in the first bytes of a file: not a text log."""
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    control = sum(1 for byte in sample[:4096] if byte < 9 or 13 < byte < 32)
    return control > len(sample[:4096]) // 20


class _BoundedGzip:
    """A gzip stream whose decompressed size is bounded (absolutely and against the compressed bytes read)."""

    def __init__(self, raw: BinaryIO, max_bytes: int) -> None:
        self.raw = raw
        self.stream = gzip.GzipFile(fileobj=raw, mode="rb")
        self.max_bytes = max_bytes
        self.out = 0

    def read(self, size: int) -> bytes:
        try:
            data = self.stream.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise UnusableInput(f"The gzip file is broken or truncated ({exc}).") from exc
        self.out += len(data)
        if self.out > self.max_bytes:
            raise UnusableInput(f"The gzip file expands to more than {self.max_bytes >> 20} MB; refused.")
        if self.out > MAX_RATIO_FREE and self.out > MAX_RATIO * max(self.raw.tell(), 1):
            raise UnusableInput("The gzip file expands more than 200-fold (a zip bomb?); refused.")
        return data


def open_stream(raw: BinaryIO, max_bytes: int = MAX_DECOMPRESSED) -> BinaryIO | _BoundedGzip:
    """`raw` itself, or a bounded gzip reader when it starts with gzip's magic bytes."""
    head = raw.read(2)
    raw.seek(0)
    if head == GZIP_MAGIC:
        return _BoundedGzip(raw, max_bytes)
    return raw


@dataclass
class Block:
    """Whole lines (UTF-8 bytes, each ending with a newline) and the over-long lines skipped before them."""

    text: bytes
    lines: int
    too_long: int
    bytes_read: int


def read_blocks(
    raw: BinaryIO, block_size: int = BLOCK_SIZE, max_line: int = MAX_LINE, max_bytes: int | None = None
) -> Iterator[Block]:
    """Blocks of whole lines from a plain or gzip stream; UnusableInput for binary or broken input."""
    stream = open_stream(raw, MAX_DECOMPRESSED if max_bytes is None else max_bytes)
    pending = b""
    skipping = False  # inside an over-long line, dropping bytes until its end
    too_long = 0
    total = 0
    first = True
    while True:
        chunk = stream.read(block_size)
        if first:
            first = False
            if looks_binary(chunk[:8192]):
                raise UnusableInput(
                    "This is a binary file, not a text log export (plain text or gzip of plain text expected)."
                )
        if not chunk:
            break
        total += len(chunk)
        start = 0
        if skipping:
            end = chunk.find(b"\n")
            if end < 0:
                continue
            skipping, start = False, end + 1
        cut = chunk.rfind(b"\n", start)
        if cut < 0:
            pending += chunk[start:]
            if len(pending) > max_line:
                pending, skipping, too_long = b"", True, too_long + 1
            continue
        data = pending + chunk[start : cut + 1]
        pending = chunk[cut + 1 :]
        if len(pending) > max_line:
            pending, skipping, too_long = b"", True, too_long + 1
        text, long_lines = _drop_long_lines(data, max_line)
        yield Block(text, text.count(b"\n"), too_long + long_lines, total)
        too_long = 0
    if pending and not skipping:
        text, long_lines = _drop_long_lines(pending + b"\n", max_line)
        yield Block(text, text.count(b"\n"), too_long + long_lines, total)
    elif too_long:
        yield Block(b"", 0, too_long, total)


def _drop_long_lines(text: bytes, max_line: int) -> tuple[bytes, int]:
    """Whole lines longer than max_line inside one block (rare: a block holds few of them) are dropped.

    Cheap check first: a line of max_line bytes covers a whole aligned window of max_line // 2 bytes, so when every
    such window holds a newline there is no long line (a few `find` calls per block instead of a split).
    """
    window = max(max_line // 2, 1)
    if all(text.find(b"\n", start, start + window) >= 0 for start in range(0, len(text) - window + 1, window)):
        return text, 0
    kept, dropped = [], 0
    for line in text.splitlines(keepends=True):
        if len(line) > max_line:
            dropped += 1
        else:
            kept.append(line)
    return b"".join(kept), dropped


def iter_lines(raw: BinaryIO) -> Iterator[str]:
    """Every line (without its newline) of a plain or gzip stream; over-long lines are left out."""
    for block in read_blocks(raw):
        yield from block.text.decode("utf-8", errors="replace").splitlines()
