"""The analysis on the real guide's symptoms: counts per article, times, sessions, tops, templates, masking."""

import gzip
import io

import pytest

from logs import synthetic
from logs.analysis import Analysis, Matcher, analyze_streams, template
from logs.parse import UnusableInput

from .conftest import ALL_FILES, FIXTURES


@pytest.fixture
def matcher(guide):
    return Matcher.from_kb()


def analyse(matcher, *names, mask=False):
    streams = [open(FIXTURES / name, "rb") for name in names]  # noqa: SIM115
    try:
        return analyze_streams(streams, matcher, mask=mask)
    finally:
        for stream in streams:
            stream.close()


def counts(result):
    return {p["kb"]: p["count"] for p in result.summary()["problems"]}


def test_every_format_together(matcher):
    result = analyse(matcher, *(p.name for p in ALL_FILES))
    summary = result.summary()
    assert summary["lines"] == 16
    assert summary["unparsed"] == 1
    # Grey List in hex, in words and in the CSV form, plus the Verify ... TEMPFAIL line: 4 lines for KB-0006;
    # "451 Try again later" is a symptom of KB-0005 too, so the three greylisted lines count there as well.
    assert counts(result) == {"KB-0006": 4, "KB-0005": 3, "KB-0004": 1, "KB-0007": 1, "KB-0008": 1}
    assert [p["kb"] for p in summary["problems"]][:2] == ["KB-0006", "KB-0005"]  # sorted by count
    first = summary["problems"][0]
    assert first["first_seen"] == "2026-11-28T10:00:01+00:00"
    assert first["last_seen"] == "2026-11-28T12:00:09+00:00"
    assert first["sessions"] == 4
    assert set(summary) == {"lines", "unparsed", "first_seen", "last_seen", "problems", "unmatched"}


def test_unmatched_clustered_by_template(matcher):
    summary = analyse(matcher, "event_v8.log", "antivirus_kv.log").summary()
    by_template = {item["template"]: item for item in summary["unmatched"]}
    delivered = by_template[
        "to=<<address>>, delay=N:N:N, xdelay=N:N:N, mailer=esmtp, pri=N, relay=<host>. [<ip>], dsn=N.N.N, "
        "stat=Sent (Ok: queued as <id>)"
    ]
    assert delivered["count"] == 2
    assert "hank@example.com" in delivered["example"]
    assert by_template["The file <host> is infected with WN/Agent.X!tr"]["count"] == 2
    # lines a symptom explains are not among them
    assert not any("timeout before data read" in t for t in by_template)


def test_tops_examples_and_sessions(matcher):
    result = analyse(matcher, "history_kv.log", "event_v8.log")
    details = result.details()["problems"]["KB-0006"]
    assert details["senders"][0] == ["alice@sender.example", 2]
    assert details["clients"][0] == ["198.51.100.20", 2]
    assert ["example.com", 2] in details["domains"]
    assert len(details["examples"]) == 3
    assert details["series"] and sum(count for _, count in details["series"]) == 3
    sessions = result.details()["sessions"]
    assert sessions["5ASA0001-5ASA0001"][0].startswith("date=2026-11-28 time=10:00:01")


def test_masking(matcher):
    result = analyse(matcher, "history_kv.log", mask=True)
    text = repr(result.summary()) + repr(result.details())
    assert "alice@" not in text and "bob@" not in text
    assert "***@sender.example" in text


def test_paste(matcher):
    analysis = Analysis(matcher)
    analysis.feed_text("Nov 28 mail: Milter (fas_milter): timeout before data read\r\nhello")
    summary = analysis.summary()
    assert summary["lines"] == 2 and summary["unparsed"] == 2  # no log_id: matched, yet not a FortiMail line
    assert counts(analysis) == {"KB-0007": 1}


def test_gzip_and_plain_give_the_same(matcher):
    data = (FIXTURES / "event_v8.log").read_bytes()
    plain = analyze_streams([io.BytesIO(data)], matcher).summary()
    packed = analyze_streams([io.BytesIO(gzip.compress(data))], matcher).summary()
    assert plain == packed


def test_empty_input(matcher):
    with pytest.raises(UnusableInput, match="empty"):
        analyze_streams([io.BytesIO(b"")], matcher)


@pytest.mark.parametrize("form", ["kv", "v8", "csv"])
def test_synthetic_export(matcher, form):
    """Every line of the generator is understood, and its symptom lines are found in each form."""
    data = ("\n".join(synthetic.lines(3000, form=form)) + "\n").encode()
    summary = analyze_streams([io.BytesIO(data)], matcher).summary()
    assert summary["lines"] == 3000 and summary["unparsed"] == 0
    found = counts_of(summary)
    assert found.get("KB-0007", 0) > 10 and found.get("KB-0008", 0) > 10 and found.get("KB-0006", 0) > 10


def counts_of(summary):
    return {p["kb"]: p["count"] for p in summary["problems"]}


def test_template():
    assert template("Verify <ann@example.com> Failed after 30 s from 192.0.2.1") == (
        "Verify <<address>> Failed after N s from <ip>"
    )
