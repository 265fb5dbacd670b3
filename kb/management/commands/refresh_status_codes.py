"""Refresh the SMTP Enhanced Status Codes data file from the IANA registry's CSV (`kb/status_registry.py`)."""

from __future__ import annotations

import datetime as dt
import email.utils
import urllib.error
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb import status_registry
from kb.status_registry import REGISTRY_URL, RegistryError, parse_csv

MAX_BYTES = 2_000_000  # the registry's CSV is about 25 KB


def download(url: str, timeout: float) -> tuple[str, str | None]:
    """The CSV's text and the server's Last-Modified date (ISO, or None); raises CommandError on any failure."""
    if not url.startswith(("https://", "http://")):
        raise CommandError(f"Only http(s) URLs can be fetched, not {url!r}.")
    request = urllib.request.Request(url, headers={"User-Agent": "mta-portal refresh_status_codes"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            body = response.read(MAX_BYTES + 1)
            last_modified = response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        raise CommandError(f"{url} answered HTTP {exc.code}; the data file was not changed.") from None
    except (urllib.error.URLError, OSError) as exc:  # TimeoutError is an OSError
        reason = getattr(exc, "reason", exc)
        raise CommandError(f"Cannot fetch {url}: {reason}; the data file was not changed.") from None
    if len(body) > MAX_BYTES:
        raise CommandError(f"{url} sent more than {MAX_BYTES} bytes: not the registry's CSV.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{url} did not send UTF-8 text; the data file was not changed.") from None
    updated = None
    if last_modified:
        try:
            updated = email.utils.parsedate_to_datetime(last_modified).date().isoformat()
        except (TypeError, ValueError):
            updated = None
    return text, updated


class Command(BaseCommand):
    help = "Download the IANA SMTP Enhanced Status Codes registry (CSV) and rewrite the data file's codes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default=REGISTRY_URL, help=f"The registry's CSV (default {REGISTRY_URL}).")
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds to wait for the server (10).")
        parser.add_argument("--path", default=str(status_registry.DATA_PATH), help="The data file to rewrite.")

    def handle(self, *args, url: str, timeout: float, path: str, **options) -> None:
        if not 0 < timeout <= 120:
            raise CommandError("--timeout must be between 0 and 120 seconds.")
        text, last_modified = download(url, timeout)
        try:
            codes = parse_csv(text)
        except RegistryError as exc:
            raise CommandError(f"{url}: {exc} The data file was not changed.") from None
        target = Path(path)
        data = status_registry.load(target)
        before = {c["code"]: c for c in data["codes"]}
        after = {c["code"]: c for c in codes}
        today = dt.datetime.now(dt.UTC).date().isoformat()
        data.update(
            source=url,
            obtained_from=f"Enumerated codes downloaded from {url} on {today} by refresh_status_codes. "
            "Class and subject sub-codes: those of RFC 3463 sections 3.1-3.8, as the registry lists them.",
            registry_last_updated=last_modified,
            registry_last_updated_note="The server's Last-Modified date of the CSV."
            if last_modified
            else "The server sent no Last-Modified date.",
            refreshed_at=today,
            codes=codes,
        )
        status_registry.save(data, target)
        status_registry.registry.cache_clear()
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        changed = [code for code in after if code in before and after[code] != before[code]]
        self.stdout.write(
            f"{len(codes)} status codes from {url}: {len(added)} new, {len(removed)} removed, {len(changed)} changed."
        )
        if added:
            self.stdout.write("New: " + ", ".join(added))
