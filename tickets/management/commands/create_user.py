"""manage.py create_user NAME --role helpdesk|gateway-admin|kb-editor [--domain D] [--email E] [--password-stdin]"""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from diagnostics.models import DomainAdmin, ProtectedDomain
from tickets.roles import GATEWAY_ADMINS, HELPDESK, KB_EDITORS, ensure_groups

ROLES = {"helpdesk": HELPDESK, "gateway-admin": GATEWAY_ADMINS, "kb-editor": KB_EDITORS}


class Command(BaseCommand):
    help = (
        "Create a user with one role: helpdesk (works tickets), gateway-admin (reports problems and tests the "
        "domains given with --domain), kb-editor (edits the knowledge base in the admin). The password is asked "
        "for, or read from the first line of standard input with --password-stdin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLES))
        parser.add_argument(
            "--domain",
            action="append",
            default=[],
            metavar="DOMAIN",
            help="a protected domain the gateway admin administers (repeat for several)",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args: object, username: str, role: str, domain: list[str], email: str, **options: object) -> None:
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} exists already.")
        if domain and role != "gateway-admin":
            raise CommandError("--domain is only for --role gateway-admin (the helpdesk sees every domain).")
        domains = []
        for name in domain:
            found = ProtectedDomain.objects.filter(name=name.strip().lower().rstrip(".")).first()
            if found is None:
                known = ", ".join(ProtectedDomain.objects.order_by("name").values_list("name", flat=True)[:20])
                raise CommandError(
                    f"No protected domain {name!r}. Add it in the admin first. Known: {known or 'none yet'}."
                )
            domains.append(found)
        password = self.read_password(options["password_stdin"])
        user = User(username=username, email=email)
        try:
            User.username_validator(username)
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            ensure_groups()
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=ROLES[role]))  # KB editors become staff by this (signals)
            for protected in domains:
                DomainAdmin.objects.create(user=user, domain=protected)
        where = f" for {', '.join(d.name for d in domains)}" if domains else ""
        self.stdout.write(f"Created {role} {username}{where}.")
        if role == "gateway-admin" and not domains:
            self.stdout.write("No domain given: add one in the admin (Domain administrators) before they report.")

    def read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        elif sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        else:
            raise CommandError("No terminal to ask for the password: pipe it in with --password-stdin.")
        if not password:
            raise CommandError("The password is empty.")
        return password
