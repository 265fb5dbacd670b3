"""`manage.py bench_logs --lines 4000000`: write a synthetic export, analyse it, compare with `grep -c`.

Prints lines per second, peak memory (RSS of this process) and the ratio of the analysis time to `grep -c` over
the same file in the same run. Needs the KB's symptoms (import the guide first).
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from logs import synthetic
from logs.analysis import Matcher, analyze_streams

GREP_PATTERN = "timeout before data read"


class Command(BaseCommand):
    help = "Benchmark the log analysis on a synthetic FortiMail export."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lines", type=int, default=4_000_000)
        parser.add_argument("--rate", type=float, default=0.03, help="Share of lines carrying a symptom (0.01-0.05).")
        parser.add_argument("--form", choices=["kv", "v8", "csv"], default="kv")
        parser.add_argument("--keep", metavar="PATH", help="Write the export here and keep it.")
        parser.add_argument(
            "--receiver-rate",
            type=int,
            default=0,
            metavar="LINES_PER_S",
            help="Instead: send --lines over UDP on loopback at this rate to the syslog receiver; count the loss.",
        )

    def handle(self, *args: object, **options: object) -> None:
        lines = int(options["lines"])
        if lines < 1:
            raise CommandError("--lines must be at least 1.")
        matcher = Matcher.from_kb()
        if not matcher.problems_of:
            raise CommandError("The KB has no symptom patterns: run import_guide first.")
        if options["receiver_rate"]:
            self._receiver(matcher, lines, int(options["receiver_rate"]))
            return
        directory = Path(tempfile.mkdtemp(prefix="bench-logs-"))
        path = Path(str(options["keep"])) if options["keep"] else directory / "export.log"
        try:
            started = time.perf_counter()
            with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
                for line in synthetic.lines(lines, symptom_rate=float(options["rate"]), form=str(options["form"])):
                    out.write(line + "\n")
            written = time.perf_counter() - started
            size = path.stat().st_size
            self.stdout.write(f"wrote {lines} lines, {size / 1e6:.0f} MB in {written:.1f} s: {path}")

            grep_seconds, grep_count = self._grep(path)
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            with path.open("rb") as stream:
                result = analyze_streams([stream], matcher)
            seconds = time.perf_counter() - started
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            summary = result.summary()
            found = sum(p["count"] for p in summary["problems"])
            self.stdout.write(
                f"analysed {summary['lines']} lines in {seconds:.1f} s: {summary['lines'] / seconds:,.0f} lines/s, "
                f"{size / 1e6 / seconds:.0f} MB/s; {found} problem lines, {summary['unparsed']} unparsed"
            )
            self.stdout.write(f"peak RSS {peak_mb:.0f} MB (before the analysis {rss_before / 1024:.0f} MB)")
            if grep_seconds:
                self.stdout.write(
                    f"grep -c '{GREP_PATTERN}': {grep_count} lines in {grep_seconds:.2f} s; "
                    f"analysis / grep = {seconds / grep_seconds:.1f}"
                )
        finally:
            if not options["keep"]:
                shutil.rmtree(directory, ignore_errors=True)

    def _receiver(self, matcher: Matcher, count: int, rate: int) -> None:
        """Send `count` syslog lines over UDP at `rate` lines/s from another process (a device is not in ours) to
        a receiver on loopback; compare sent with analysed."""
        import multiprocessing

        from logs.receiver import Receiver

        receiver = Receiver(matcher, ["127.0.0.1"], udp=("127.0.0.1", 0))
        receiver.start()
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        seconds = context.Value("d", 0.0)
        sender = context.Process(target=_send, args=(receiver.addresses["udp"], count, rate, seconds))
        sender.start()
        sender.join(timeout=600)
        sent_seconds = seconds.value or 1e-9
        receiver.wait_until_analysed(count, timeout=30)
        receiver.stop()
        c = receiver.counters
        self.stdout.write(
            f"receiver: sent {count} in {sent_seconds:.1f} s ({count / sent_seconds:,.0f} lines/s), received "
            f"{c.received}, analysed {c.analysed}, lost {count - c.analysed} (queue full {c.dropped_full})"
        )

    def _grep(self, path: Path) -> tuple[float, int]:
        grep = shutil.which("grep")
        if grep is None:
            self.stdout.write("grep not found: no ratio")
            return 0.0, 0
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - fixed arguments, our own file
            [grep, "-c", "-F", GREP_PATTERN, str(path)], capture_output=True, text=True, timeout=600, check=False
        )
        return time.perf_counter() - started, int(done.stdout.strip() or 0)


def _send(target: tuple[str, int], count: int, rate: int, seconds: Any) -> None:
    """The device: `count` synthetic lines as syslog datagrams at `rate` lines/s, paced in bursts of 100."""
    import socket

    messages = [b"<22>" + line.encode() for line in synthetic.lines(count)]
    started = time.perf_counter()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for index, message in enumerate(messages):
            sender.sendto(message, target)
            if index % 100 == 99:
                ahead = (index + 1) / rate - (time.perf_counter() - started)
                if ahead > 0:
                    time.sleep(ahead)
    seconds.value = time.perf_counter() - started
