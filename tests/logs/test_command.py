"""`analyze_logs`: the exact JSON shape, exit status 2 on unusable input, attaching to a ticket."""

import gzip
import json

import pytest
from django.core.management import call_command

from logs.models import LogAnalysis

from .conftest import ALL_FILES, FIXTURES


def run(capsys, *args):
    with pytest.raises(SystemExit) as exited:
        call_command("analyze_logs", *args)
    return exited.value.code, capsys.readouterr()


def test_json_shape(guide, capsys):
    call_command("analyze_logs", "--json", *map(str, ALL_FILES))
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["lines", "unparsed", "first_seen", "last_seen", "problems", "unmatched"]
    assert result["lines"] == 16 and result["unparsed"] == 1
    assert list(result["problems"][0]) == ["kb", "title", "count", "first_seen", "last_seen", "sessions"]
    assert result["problems"][0]["kb"] == "KB-0006" and result["problems"][0]["count"] == 4
    assert list(result["unmatched"][0]) == ["template", "count", "example"]
    counts = [p["count"] for p in result["problems"]]
    assert counts == sorted(counts, reverse=True)


def test_text_output(guide, capsys):
    call_command("analyze_logs", str(FIXTURES / "event_v8.log"))
    out = capsys.readouterr().out
    assert "6 lines, 0 not understood" in out
    assert "KB-0007" in out and "KB-0008" in out


def test_gzip_file(guide, tmp_path, capsys):
    packed = tmp_path / "elog.log.gz"
    packed.write_bytes(gzip.compress((FIXTURES / "event_v8.log").read_bytes()))
    call_command("analyze_logs", "--json", str(packed))
    assert json.loads(capsys.readouterr().out)["lines"] == 6


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02\x03" * 100, "binary file"),
        (gzip.compress(b"date=2026-11-28 time=10:00:00 log_id=1\n" * 20000)[:300], "broken or truncated"),
        (b"", "empty"),
    ],
)
def test_unusable_input_exits_2(guide, tmp_path, capsys, content, message):
    bad = tmp_path / "bad.log"
    bad.write_bytes(content)
    code, captured = run(capsys, "--json", str(bad))
    assert code == 2
    assert message in captured.err
    assert captured.out == ""


def test_missing_file_exits_2(guide, tmp_path, capsys):
    code, captured = run(capsys, str(tmp_path / "nothing.log"))
    assert code == 2 and "nothing.log" in captured.err


def test_attach_to_ticket(guide, ticket, capsys):
    call_command("analyze_logs", "--ticket", ticket.number, str(FIXTURES / "history_kv.log"))
    analysis = LogAnalysis.objects.get(ticket=ticket)
    assert analysis.status == LogAnalysis.Status.DONE
    assert {p["kb"] for p in analysis.summary["problems"]} == {"KB-0004", "KB-0005", "KB-0006"}
    assert f"to {ticket.number}" in capsys.readouterr().out


def test_unknown_ticket(guide, db, capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No ticket"):
        call_command("analyze_logs", "--ticket", "T-99999", str(FIXTURES / "history_kv.log"))
