"""`manage.py analyze_logs FILE... [--ticket T-00042] [--json] [--mask]`: analyse FortiMail log exports now."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from logs.analysis import analyze_streams
from logs.parse import UnusableInput
from portal.numbers import parse_id

UNUSABLE = 2


class Command(BaseCommand):
    help = "Analyse FortiMail log files (plain or gzip): which KB problems they show. Exit status 2: unusable input."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--ticket", help="Attach the analysis to this ticket (T-00042 or 42).")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        parser.add_argument("--mask", action="store_true", help="Replace the local parts of addresses by ***.")

    def handle(self, *args: object, **options: object) -> None:
        ticket = self._ticket(options["ticket"]) if options["ticket"] else None
        started = timezone.now()
        try:
            with ExitStack() as stack:
                streams = [stack.enter_context(open(path, "rb")) for path in options["files"]]  # noqa: PTH123
                result = analyze_streams(streams, mask=bool(options["mask"]))
        except (UnusableInput, OSError) as exc:
            self.stderr.write(f"analyze_logs: {exc}")
            sys.exit(UNUSABLE)
        summary = result.summary()
        if ticket is not None:
            from logs.models import LogAnalysis

            names = ", ".join(str(p).rsplit("/", 1)[-1] for p in options["files"])
            analysis = LogAnalysis.objects.create(
                ticket=ticket,
                source=names[:300],
                masked=bool(options["mask"]),
                status=LogAnalysis.Status.DONE,
                lines_read=result.lines,
                started_at=started,
                finished_at=timezone.now(),
                summary=summary,
                details=result.details(),
            )
            if not options["json"]:
                self.stdout.write(f"Attached as analysis {analysis.pk} to {ticket.number}.")
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        self._print(summary)

    def _ticket(self, value: object) -> object:
        from tickets.models import Ticket

        pk = parse_id(str(value).strip().upper().removeprefix("T-"))
        ticket = Ticket.objects.filter(pk=pk).first() if pk else None
        if ticket is None:
            raise CommandError(f"No ticket {value}.", returncode=UNUSABLE)
        return ticket

    def _print(self, summary: dict) -> None:
        write = self.stdout.write
        write(
            f"{summary['lines']} lines, {summary['unparsed']} not understood, "
            f"{summary['first_seen'] or '-'} to {summary['last_seen'] or '-'}"
        )
        if not summary["problems"]:
            write("No KB problem found.")
        for problem in summary["problems"]:
            write(
                f"{problem['kb']}  {problem['count']:>8} lines {problem['sessions']:>7} sessions  "
                f"{problem['first_seen']} .. {problem['last_seen']}  {problem['title']}"
            )
        if summary["unmatched"]:
            write("Frequent messages the KB does not explain:")
            for item in summary["unmatched"][:10]:
                write(f"  {item['count']:>8}  {item['template']}")
