"""A generation: a random token in Django's cache naming the current state of something derived from the database.

What a process derives (search answers, article bodies, linked-tickets blocks, compiled symptom patterns) is
stored or checked under the current generation. `renew()` replaces the token now, and again when the transaction
commits, so nothing derived from the old rows in between survives. With the shared cache (REDIS_URL) every
process sees the new token at once; with the per-process cache only this one does, and the others rely on their
own expiry.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction


class Generation:
    def __init__(self, key: str) -> None:
        self.key = key

    def current(self) -> str:
        generation = cache.get(self.key)
        if generation is None:  # first use, or the cache lost it: start one (another process may be first)
            generation = uuid.uuid4().hex
            if not cache.add(self.key, generation, timeout=None):
                generation = cache.get(self.key, generation)
        return generation

    def renew(self) -> None:
        self._replace()
        transaction.on_commit(self._replace)

    def _replace(self) -> None:
        cache.set(self.key, uuid.uuid4().hex, timeout=None)


# Renewed by `kb.signals` whenever an article, one of its parts, its links to other articles or a category change:
# search answers (`kb.search.answers`) and rendered article bodies (`kb.content`) are cached under it.
KNOWLEDGE_BASE = Generation("kb:generation")
