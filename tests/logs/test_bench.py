"""The benchmark's machinery on a small export (the full run is recorded in docs/benchmarks.md)."""

import re

from django.core.management import call_command


def test_bench_logs_small(guide, capsys):
    call_command("bench_logs", "--lines", "3000")
    out = capsys.readouterr().out
    assert "wrote 3000 lines" in out
    analysed = re.search(r"analysed 3000 lines in [\d.]+ s: ([\d,]+) lines/s", out)
    assert analysed and int(analysed.group(1).replace(",", "")) > 0
    assert re.search(r"peak RSS \d+ MB", out)
    grep = re.search(r"grep -c '.*': (\d+) lines in [\d.]+ s; analysis / grep = [\d.]+", out)
    assert grep and int(grep.group(1)) > 0


def test_bench_receiver_small(guide, capsys):
    call_command("bench_logs", "--lines", "2000", "--receiver-rate", "5000")
    out = capsys.readouterr().out
    found = re.search(r"receiver: sent 2000 in [\d.]+ s \([\d,]+ lines/s\), received (\d+), analysed (\d+), lost", out)
    assert found and int(found.group(2)) <= int(found.group(1)) <= 2000 and int(found.group(2)) > 0


def test_purge_keeps_recent(guide, db):
    from datetime import timedelta

    from django.utils import timezone

    from logs.models import LogAnalysis, purge_expired

    old = LogAnalysis.objects.create(source="old", created=timezone.now() - timedelta(days=31))
    recent = LogAnalysis.objects.create(source="recent", created=timezone.now() - timedelta(days=29))
    assert purge_expired() == 1
    assert list(LogAnalysis.objects.all()) == [recent]
    assert not LogAnalysis.objects.filter(pk=old.pk).exists()
    call_command("purge_log_analyses")
