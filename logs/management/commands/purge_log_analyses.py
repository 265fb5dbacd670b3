"""`manage.py purge_log_analyses`: delete log analyses older than LOG_RETENTION_DAYS (default 30)."""

from django.core.management.base import BaseCommand

from logs.models import purge_expired


class Command(BaseCommand):
    help = "Delete log analyses older than LOG_RETENTION_DAYS."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"Deleted {purge_expired()} log analyses.")
