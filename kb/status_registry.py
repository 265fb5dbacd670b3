"""The IANA "SMTP Enhanced Status Codes" registry, kept as a data file (`kb/data/smtp-enhanced-status-codes.json`).

The file holds the three sub-registries: class sub-codes (2/4/5), subject sub-codes (X.0 ... X.7) and the
enumerated status codes (X.1.1 ...), each with the registry's summary, description and references, and where the
content came from (`source`, `obtained_from`, `registry_last_updated`, `refreshed_at`). `refresh_status_codes`
rewrites the enumerated codes from the registry's CSV (`smtp-enhanced-status-codes-3.csv`); classes and subjects
are those of RFC 3463 and change only with a new RFC.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_PATH = Path(__file__).resolve().parent / "data" / "smtp-enhanced-status-codes.json"
REGISTRY_URL = "https://www.iana.org/assignments/smtp-enhanced-status-codes/smtp-enhanced-status-codes-3.csv"
CSV_COLUMNS = ("Code", "Sample Text", "Associated basic status code", "Description", "Reference")
CODE_RE = re.compile(r"X\.(\d{1,3})\.(\d{1,3})")
MAX_ENTRIES = 2000


class RegistryError(ValueError):
    """A registry CSV that cannot be read as the enumerated status codes."""


@dataclass(frozen=True)
class Entry:
    code: str  # "X.7.1"; "X.7.YYY" for a subject, "5.XXX.YYY" for a class
    summary: str  # the registry's "Sample Text" (enumerated codes) or "Summary"
    description: str
    reference: str
    basic_codes: str = ""  # "Associated basic status code", as the registry words it


def _squash(text: str) -> str:
    return " ".join(text.split())


def parse_csv(text: str) -> list[dict]:
    """The enumerated codes of the registry's CSV as dicts (code, summary, basic_codes, description, reference).

    Refuses a CSV without the registry's columns, without any code, or with a malformed code.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RegistryError(f"Not the registry's CSV: missing column(s) {', '.join(missing)}.")
    entries: dict[str, dict] = {}
    for row in reader:
        code = (row.get("Code") or "").strip()
        if not CODE_RE.fullmatch(code):
            raise RegistryError(f"Line {reader.line_num}: {code[:40]!r} is not an enumerated status code (X.n.n).")
        entries[code] = {
            "code": code,
            "summary": _squash(row.get("Sample Text") or ""),
            "basic_codes": _squash(row.get("Associated basic status code") or ""),
            "description": _squash(row.get("Description") or ""),
            "reference": _squash(row.get("Reference") or ""),
        }
        if len(entries) > MAX_ENTRIES:
            raise RegistryError(f"More than {MAX_ENTRIES} codes: not the registry's CSV.")
    if not entries:
        raise RegistryError("The CSV lists no status code.")
    return sorted(entries.values(), key=lambda e: tuple(int(n) for n in CODE_RE.fullmatch(e["code"]).groups()))


def load(path: Path = DATA_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def save(data: dict, path: Path = DATA_PATH) -> None:
    """Write atomically (a reader never sees half a file)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


@dataclass(frozen=True)
class Registry:
    classes: dict[int, Entry]
    subjects: dict[int, Entry]
    codes: dict[tuple[int, int], Entry]
    source: str
    registry_last_updated: str | None

    def code(self, subject: int, detail: int) -> Entry | None:
        return self.codes.get((subject, detail))


@cache
def registry() -> Registry:
    """The registry data file, read once per process (a refresh takes effect on restart)."""
    data = load()

    def entry(item: dict) -> Entry:
        return Entry(item["code"], item["summary"], item["description"], item["reference"], item.get("basic_codes", ""))

    codes = {}
    for item in data["codes"]:
        subject, detail = CODE_RE.fullmatch(item["code"]).groups()
        codes[int(subject), int(detail)] = entry(item)
    return Registry(
        classes={int(item["code"][0]): entry(item) for item in data["classes"]},
        subjects={int(item["code"].split(".")[1]): entry(item) for item in data["subjects"]},
        codes=codes,
        source=data["source"],
        registry_last_updated=data.get("registry_last_updated"),
    )
