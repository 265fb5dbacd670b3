import json
import sys

from django.core.management.base import BaseCommand

from kb.transfer import export_kb


class Command(BaseCommand):
    help = "Write the whole knowledge base as one JSON document (to a file, or standard output)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", default="-", help="Output file; '-' for standard output.")

    def handle(self, *args, path: str, **options) -> None:
        text = json.dumps(export_kb(), indent=2, ensure_ascii=False) + "\n"
        if path == "-":
            sys.stdout.write(text)
            return
        with open(path, "w", encoding="utf-8") as output:
            output.write(text)
        self.stderr.write(f"Knowledge base exported to {path}.")
