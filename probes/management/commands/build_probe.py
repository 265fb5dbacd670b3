from pathlib import Path

from django.core.management.base import BaseCommand

from probes.build import build


class Command(BaseCommand):
    help = "Build the probe file (a Python zip application with the checks and dnspython)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("-o", "--output", default="mta-probe.pyz", help="where to write it (mta-probe.pyz)")

    def handle(self, *args, output: str, **options) -> None:
        path = build(Path(output))
        self.stdout.write(f"Wrote {path} ({path.stat().st_size // 1024} KiB). Run it with: python3 {path} --help")
