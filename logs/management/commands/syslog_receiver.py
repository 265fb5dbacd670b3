"""`manage.py syslog_receiver --udp 127.0.0.1:5514 --tcp 127.0.0.1:5514 --allow 192.0.2.10`: analyse logs as sent."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from logs.analysis import Matcher
from logs.models import LogAnalysis
from logs.receiver import Receiver, parse_address


class Command(BaseCommand):
    help = "Receive FortiMail logs over syslog (UDP/TCP) and analyse them continuously into one log analysis."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--udp", metavar="HOST:PORT")
        parser.add_argument("--tcp", metavar="HOST:PORT")
        parser.add_argument(
            "--allow", action="append", metavar="IP/NET", help="Devices allowed to send (repeat; default 127.0.0.1)."
        )
        parser.add_argument("--save-every", type=float, default=5.0, metavar="SECONDS")
        parser.add_argument("--duration", type=float, default=0.0, help="Stop after this many seconds (0: never).")
        parser.add_argument("--queue", type=int, default=200_000, help="Messages waiting at most (then dropped).")

    def handle(self, *args: object, **options: object) -> None:
        try:
            udp = parse_address(str(options["udp"])) if options["udp"] else None
            tcp = parse_address(str(options["tcp"])) if options["tcp"] else None
            allow = options["allow"] or ["127.0.0.1"]
            if not udp and not tcp:
                raise ValueError("Give --udp and/or --tcp.")
            receiver = Receiver(Matcher.from_kb(), allow, udp=udp, tcp=tcp, queue_size=int(options["queue"]))
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        row = LogAnalysis.objects.create(
            source="syslog receiver", status=LogAnalysis.Status.RUNNING, started_at=timezone.now()
        )
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
        receiver.start()
        listening = ", ".join(f"{kind} {host}:{port}" for kind, (host, port) in receiver.addresses.items())
        self.stdout.write(f"listening on {listening}; analysis {row.pk}", ending="\n")
        self.stdout.flush()
        started = last_save = time.monotonic()
        duration = float(options["duration"])
        try:
            while not stop and not (duration and time.monotonic() - started >= duration):
                time.sleep(0.1)
                if time.monotonic() - last_save >= float(options["save_every"]):
                    receiver.save(row)
                    last_save = time.monotonic()
        except KeyboardInterrupt:
            pass
        receiver.stop()
        row.status = LogAnalysis.Status.DONE
        receiver.save(row)
        c = receiver.counters
        self.stdout.write(
            f"received {c.received}, analysed {c.analysed}, dropped: {c.dropped_full} (queue full), "
            f"{c.dropped_sender} (sender not allowed), {c.dropped_frame} (bad frame)"
        )
