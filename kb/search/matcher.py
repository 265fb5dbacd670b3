"""The symptom matcher: which known symptoms (SMTP replies, log messages) a pasted bounce or log line contains.

Each `Symptom.pattern` is a case-insensitive RE2 regular expression (generated on import by `kb.symptoms`,
editable in the admin, checked when saved), matched in time linear in the text: no pattern can stall a search.
The compiled patterns are kept per process, not read per search: saving or deleting a symptom renews their
generation (`kb.signals`), which this process sees at once, other processes through Django's cache when it is
shared (Redis), and at the latest after PATTERNS_MAX_AGE seconds (the per-process cache).
A broken pattern is skipped, never fatal.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from kb.models import Symptom
from kb.symptoms import CompiledPattern, PatternError, compile_pattern
from portal.generation import Generation

logger = logging.getLogger(__name__)

PATTERNS_MAX_AGE = 60.0  # seconds
VERSION_KEY = "kb:search:symptom-patterns"
PATTERNS_VERSION = Generation(VERSION_KEY)


@dataclass(frozen=True)
class _Patterns:
    version: str
    loaded_at: float
    compiled: list[tuple[CompiledPattern, Symptom]]


_patterns: _Patterns | None = None


def _compile(pattern: str) -> CompiledPattern | None:
    try:
        return compile_pattern(pattern)
    except PatternError as exc:  # saved before patterns were checked, or written to the database directly
        logger.warning("Symptom pattern %r does not compile: %s", pattern, exc)
        return None


def symptom_patterns() -> list[tuple[CompiledPattern, Symptom]]:
    """(compiled pattern, symptom) for every symptom with a pattern that compiles."""
    global _patterns
    version = PATTERNS_VERSION.current()
    now = time.monotonic()
    if _patterns is None or _patterns.version != version or now - _patterns.loaded_at > PATTERNS_MAX_AGE:
        symptoms = Symptom.objects.exclude(pattern="").only("pk", "kind", "text", "pattern")
        compiled = [(pattern, s) for s in symptoms if (pattern := _compile(s.pattern))]
        _patterns = _Patterns(version, now, compiled)
    return _patterns.compiled


def match_symptoms(text: str) -> list[Symptom]:
    """The symptoms whose pattern occurs in `text`, in the order they appear in it."""
    if not text.strip():
        return []
    found = []
    for compiled, symptom in symptom_patterns():
        match = compiled.search(text)
        if match:
            found.append((match.start(), symptom))
    return [symptom for _, symptom in sorted(found, key=lambda pair: pair[0])]


def forget_patterns() -> None:
    """Reload the patterns on the next search, in this process and (through the cache) in the others."""
    global _patterns
    _patterns = None
    PATTERNS_VERSION.renew()
