"""The symptom matcher: which known symptoms (SMTP replies, log messages) a pasted bounce or log line contains.

Each `Symptom.pattern` is a case-insensitive regular expression (generated on import by `kb.symptoms`, editable
in the admin). Patterns are compiled once per (id, pattern) and reused; a broken pattern is skipped, never fatal.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from kb.models import Symptom

logger = logging.getLogger(__name__)


@lru_cache(maxsize=2048)
def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        logger.warning("Symptom pattern %r does not compile: %s", pattern, exc)
        return None


def match_symptoms(text: str) -> list[Symptom]:
    """The symptoms whose pattern occurs in `text`, in the order they appear in it."""
    if not text.strip():
        return []
    found = []
    for symptom in Symptom.objects.exclude(pattern="").only("pk", "kind", "text", "pattern"):
        compiled = _compile(symptom.pattern)
        match = compiled.search(text) if compiled else None
        if match:
            found.append((match.start(), symptom))
    return [symptom for _, symptom in sorted(found, key=lambda pair: pair[0])]
