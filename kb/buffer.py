"""Writes made in batches: items kept in memory per process and written at most every few seconds.

Some writes must not make a request wait for a row lock or a commit: article view counts (`kb.popularity`)
and the analytics rows of JSON API searches (`kb.search.log`). Each is a `WriteBuffer`: `add()` keeps an item
and, once the interval has passed, writes everything kept so far in one call. A gunicorn worker writes what it
holds when it exits (`flush_all()` in `portal/gunicorn.conf.py`); a process that is killed loses at most one
interval's items.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.conf import settings

_buffers: list[WriteBuffer] = []


class WriteBuffer[T]:
    def __init__(self, write: Callable[[list[T]], None], interval_setting: str, default_seconds: float = 10) -> None:
        self._write = write
        self._interval_setting = interval_setting
        self._default_seconds = default_seconds
        self._lock = threading.Lock()
        self._items: list[T] = []
        self._last_flush = time.monotonic()
        _buffers.append(self)

    def add(self, item: T) -> None:
        with self._lock:
            self._items.append(item)
            interval = getattr(settings, self._interval_setting, self._default_seconds)
            due = time.monotonic() - self._last_flush >= interval
            if due:
                self._last_flush = time.monotonic()
        if due:
            self.flush()

    def flush(self) -> None:
        """Write what is kept now."""
        with self._lock:
            items, self._items = self._items, []
        if items:
            self._write(items)


def flush_all() -> None:
    for buffer in _buffers:
        buffer.flush()
