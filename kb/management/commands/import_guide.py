from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.importer import GuideError, import_guide


class Command(BaseCommand):
    help = "Import the 'Troubleshoot MTA issues' guide into the knowledge base (one transaction)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", default=str(settings.GUIDE_PATH), help="Guide text file.")
        parser.add_argument("--force", action="store_true", help="Overwrite articles that editors changed.")

    def handle(self, *args, path: str, force: bool, **options) -> None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"Guide file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read guide file {path}: {exc}") from None
        try:
            report = import_guide(text, force=force)
        except GuideError as exc:
            raise CommandError(f"Cannot import {path}: {exc} Nothing was changed.") from None
        self.stdout.write(f"Imported {report.summary()}.")
        for kb_number in report.conflicts:
            self.stderr.write(
                f"Conflict: {kb_number} was changed by an editor since the last import; left as is "
                "(use --force to overwrite)."
            )
