"""A generation: a random token in Django's cache naming the current state of something derived from the database.

What a process derives (search answers, article bodies, linked-tickets blocks, compiled symptom patterns) is stored
or checked under the current generation. `renew()` replaces the token now, and again when the transaction commits,
so nothing derived from the old rows in between survives. With the shared cache (REDIS_URL) every process sees the
new token at once; with the per-process cache only this one does, and the others rely on their own expiry.

`get_or_set()` keeps a derived value together with the generation it was derived under and reads both with the
current token in one cache round trip: a value of an older generation is derived again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction


class Generation:
    def __init__(self, key: str) -> None:
        self.key = key

    def current(self) -> str:
        return cache.get(self.key) or self._start()

    def get_or_set[T](self, key: str, default: Callable[[], T], timeout: float) -> T:
        """Like `cache.get_or_set()`, for a value derived under this generation: kept with it, read with it."""
        found = cache.get_many([self.key, key])
        generation = found.get(self.key) or self._start()
        if (stored := found.get(key)) is not None and stored[0] == generation:
            return stored[1]
        value = default()
        cache.set(key, (generation, value), timeout)
        return value

    def renew(self) -> None:
        self._replace()
        transaction.on_commit(self._replace)

    def _replace(self) -> None:
        cache.set(self.key, uuid.uuid4().hex, timeout=None)

    def _start(self) -> str:
        """First use, or the cache lost the token: start a generation (another process may be first)."""
        generation = uuid.uuid4().hex
        if cache.add(self.key, generation, timeout=None):
            return generation
        return cache.get(self.key, generation)
