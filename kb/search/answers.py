"""Search answers kept in Django's cache, forgotten as soon as the knowledge base changes.

Helpdesk users search for the same bounce messages and type the same prefixes; the JSON API answers a
repeated search from the cache. Every answer is kept with the knowledge base's generation it was computed
under, which `kb.signals` renews whenever an article, one of its parts or its links change, so old answers are
never read again.
With a per-process cache another process may answer from its own copy for up to TIMEOUT seconds; with the
shared cache (REDIS_URL) a change is seen at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from kb.generation import KNOWLEDGE_BASE

TIMEOUT = 60


def cached(parts: list[object], compute: Callable[[], dict]) -> dict:
    """The answer for `parts` (JSON-serialisable request parameters), computed once per generation."""
    digest = hashlib.sha256(json.dumps(parts).encode()).hexdigest()
    return KNOWLEDGE_BASE.get_or_set(f"kb:search:answer:v2:{digest}", compute, TIMEOUT)


def forget_all() -> None:
    """Drop every cached answer (now, and again when the current transaction commits)."""
    KNOWLEDGE_BASE.renew()
