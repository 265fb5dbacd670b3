"""A synthetic FortiMail log export for the benchmark: a realistic mix of log types and 1-5 % symptom lines.

Each SMTP session writes an event (elog) line for the connection and delivery, a history (statistics) line with its
disposition and classifier, and now and then an antispam or antivirus line; some sessions show a symptom from the
guide (milter timeout, recipient verification tempfail, greylisting classifier).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

DOMAINS = ["example.com", "example.net", "example.org", "corp.example", "mail.example.com"]
SYMPTOM_MESSAGES = [
    "Milter (fas_milter): timeout before data read",
    "Milter (mailfilterd): timeout before data read, where=eom",
    "Verify <{rcpt}> Failed, return TEMPFAIL",
]


def _address(rng: random.Random) -> str:
    return f"user{rng.randrange(5000)}@{rng.choice(DOMAINS)}"


def _session(rng: random.Random, n: int) -> str:
    return f"4{n:08X}-4{n:08X}"


def _header(moment: datetime, form: str) -> tuple[str, str]:
    """(prefix, separator) for the line's form."""
    if form == "v8":
        stamp = int(moment.timestamp() * 1000)
        return f'{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d} eventtime={stamp} tz="+0000" ', " "
    if form == "csv":
        return f"date={moment:%Y-%m-%d},time={moment:%H:%M:%S},device_id=FE-3KET000000001,", ","
    return f"date={moment:%Y-%m-%d} time={moment:%H:%M:%S} device_id=FE-3KET000000001 ", " "


def lines(count: int, *, symptom_rate: float = 0.03, seed: int = 7, form: str = "kv") -> Iterator[str]:
    """`count` lines (without newlines) of one form: "kv" (key=value), "v8" (8.0 header) or "csv"."""
    rng = random.Random(seed)
    moment = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)
    written = 0
    n = 0
    while written < count:
        n += 1
        moment += timedelta(milliseconds=rng.randrange(1, 400))
        prefix, sep = _header(moment, form)
        session = _session(rng, n)
        sender, rcpt = _address(rng), _address(rng)
        client = f"192.0.2.{rng.randrange(1, 255)}"
        symptom = rng.random() < symptom_rate * 2.2  # about 2.2 lines per session: the rate holds per line
        batch = [
            sep.join(
                [
                    "log_id=0003000121 type=event".replace(" ", sep),
                    "subtype=smtp pri=information user=mail ui=mail action=NONE status=N/A".replace(" ", sep),
                    f'session_id="{session}"',
                    f'msg="to=<{rcpt}>, delay=00:00:0{rng.randrange(10)}, xdelay=00:00:01, mailer=esmtp, '
                    f"pri={rng.randrange(30000, 90000)}, relay=mx{rng.randrange(9)}.{rng.choice(DOMAINS)}. "
                    f"[198.51.100.{rng.randrange(1, 255)}], dsn=2.0.0, "
                    f'stat=Sent (Ok: queued as {rng.getrandbits(40):X})"',
                ]
            )
        ]
        classifier = "0x00"
        if symptom:
            kind = rng.randrange(4)
            if kind == 3:
                classifier = "0x12"
            else:
                text = SYMPTOM_MESSAGES[kind].format(rcpt=rcpt)
                batch.append(
                    sep.join(
                        [
                            "log_id=0003000123 type=event subtype=smtp pri=warning user=mail ui=mail".replace(" ", sep),
                            f'session_id="{session}"',
                            f'msg="{text}"',
                        ]
                    )
                )
        batch.append(
            sep.join(
                [
                    "log_id=0200025843 type=statistics pri=information".replace(" ", sep),
                    f'session_id="{session}"',
                    f'client_name="[{client}]"',
                    f'dst_ip="203.0.113.{rng.randrange(1, 255)}"',
                    f'from="{sender}"',
                    f'to="{rcpt}"',
                    'polid="0:1:0"',
                    f'domain="{rcpt.partition("@")[2]}"',
                    f'subject="Report {rng.randrange(100000)}"',
                    'mailer="mta" resolved="OK" direction="in" virus=""'.replace(" ", sep),
                    f'disposition="0x{rng.choice([0, 200, 1000]):X}" classifier="{classifier}"'.replace(" ", sep),
                    f'message_length="{rng.randrange(1000, 900000)}"',
                ]
            )
        )
        if rng.random() < 0.08:
            batch.append(
                sep.join(
                    [
                        "log_id=0300000924 type=spam pri=information".replace(" ", sep),
                        f'session_id="{session}"',
                        f'client_name="[{client}]"',
                        f'from="{sender}"',
                        f'to="{rcpt}"',
                        f'subject="Offer {rng.randrange(1000)}"',
                        f'msg="Detected by BannedWord rule{rng.randrange(20)}"',
                    ]
                )
            )
        for line in batch:
            if written >= count:
                return
            written += 1
            yield prefix + line
