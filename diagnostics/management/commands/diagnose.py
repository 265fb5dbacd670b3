"""`manage.py diagnose DOMAIN [--gateway HOST_OR_IP ...] [--smtp HOST[:PORT]] [--check NAME ...] [--json]`.

Runs the checks synchronously (no worker needed), stores the run and prints a table, or with --json exactly
{"domain", "status", "checks": [{"check", "status", "summary", "details", "duration_ms", "articles"}]}.
Exit status 0 when the checks ran, whatever they found; 2 with a one-line message for bad input.
"""

import json
from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError

from diagnostics import services
from diagnostics.checks import CHECK_NAMES, REGISTRY, Target
from diagnostics.checks.domain import InvalidTarget, normalize_domain, normalize_host, parse_host_port
from diagnostics.models import DiagnosticRun, ProtectedDomain
from diagnostics.presenters import vantage_problem


def bad_input(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Run diagnostic checks on a domain now and print the results."

    def add_arguments(self, parser) -> None:
        parser.add_argument("domain", help="The mail domain, e.g. example.com.")
        parser.add_argument("--gateway", action="append", default=[], help="FortiMail host name or IP (repeatable).")
        parser.add_argument("--smtp", default="", help="Protected SMTP server HOST[:PORT] for recipient verification.")
        parser.add_argument(
            "--check", action="append", default=[], help=f"One of {', '.join(CHECK_NAMES)} (repeatable)."
        )
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args, **options) -> None:
        target, record = self.target(options)
        checks = options["check"] or services.applicable_checks(target)
        if unknown := [name for name in checks if name not in REGISTRY]:
            raise bad_input(f"Unknown check {unknown[0]!r}; choose from {', '.join(CHECK_NAMES)}.")
        for name in checks:
            if missing := REGISTRY[name].missing_for(target):
                flag = "--gateway" if REGISTRY[name].needs_gateway else "--smtp"
                raise bad_input(f"{name} needs {flag}: {missing}.")
        run = services.run_checks_now(target, checks, protected_domain=record, source=DiagnosticRun.Source.COMMAND)
        results = list(run.results.all())
        if options["json"]:
            self.stdout.write(json.dumps(as_json(run, results), indent=2))
        else:
            self.stdout.write(table(run, results))

    def target(self, options: dict) -> tuple[Target, ProtectedDomain | None]:
        """The command line's target; a matching ProtectedDomain fills in what the command line leaves out."""
        try:
            domain = normalize_domain(options["domain"])
            gateways = tuple(normalize_host(g) for g in options["gateway"])
            smtp_host, smtp_port = parse_host_port(options["smtp"]) if options["smtp"] else ("", None)
        except InvalidTarget as exc:
            raise bad_input(str(exc)) from None
        record = ProtectedDomain.objects.filter(name=domain).first()
        target = record.target() if record else Target(domain)
        if gateways:
            target = replace(target, gateways=gateways)
        if smtp_host:
            target = replace(target, smtp_host=smtp_host, smtp_port=smtp_port)
        return target, record


def as_json(run: DiagnosticRun, results: list) -> dict:
    return {
        "domain": run.domain,
        "status": run.status,
        "checks": [
            {
                "check": r.check_name,
                "status": r.status,
                "summary": r.summary,
                "details": r.details,
                "duration_ms": r.duration_ms,
                "articles": r.articles,
            }
            for r in results
        ],
    }


def table(run: DiagnosticRun, results: list) -> str:
    width = max(len(r.check_name) for r in results)
    lines = [f"{run.domain}: {run.status.upper()}  (tested from {results[0].tested_from or '?'})", ""]
    if vantage := vantage_problem(results):
        lines.append(f"THE PORTAL CANNOT TEST FROM HERE: {vantage['problem']}.")
        lines.append(f"What to do: {vantage['fix']}")
        if vantage["checks"]:
            lines.append(f"Not a finding about {run.domain}: {', '.join(vantage['checks'])} could not test.")
        lines.append("")
    lines.append(f"{'CHECK':<{width}}  STATUS  {'MS':>6}  SUMMARY")
    for r in results:
        lines.append(f"{r.check_name:<{width}}  {r.status.upper():<6}  {r.duration_ms or 0:>6}  {r.summary}")
        if r.articles:
            lines.append(f"{'':<{width}}  articles: {', '.join(r.articles)}")
        for command in r.gateway_commands:
            lines.append(f"{'':<{width}}  on the FortiMail: {command}")
    return "\n".join(lines)
