import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.transfer import TransferError, import_kb


class Command(BaseCommand):
    help = "Load a knowledge base written by export_kb (one transaction: all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="A file written by export_kb.")

    def handle(self, *args, path: str, **options) -> None:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"File not found: {path}") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        try:
            counts = import_kb(document)
        except TransferError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from None
        self.stdout.write(
            f"Imported {counts['articles']} articles, {counts['symptoms']} symptoms, {counts['categories']} categories."
        )
