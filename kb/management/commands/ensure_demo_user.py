from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "troubleshoot-mta"  # noqa: S105 - local demo login, printed on purpose


class Command(BaseCommand):
    help = "Create the demo login (a superuser) if no user exists yet, and print it."

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        if not User.objects.exists():
            User.objects.create_superuser(DEMO_USERNAME, "demo@example.com", DEMO_PASSWORD)
            self.stdout.write(f"Created demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        elif User.objects.filter(username=DEMO_USERNAME).exists():
            self.stdout.write(f"Demo login: {DEMO_USERNAME} / {DEMO_PASSWORD} (unless its password was changed)")
        else:
            self.stdout.write("Users exist already; no demo login created.")
