"""Writes made in batches: items kept in memory per process and written at most every few seconds.

Some writes must not make a request wait for a row lock or a commit: article view counts (`kb.popularity`)
and the analytics rows of JSON API searches (`kb.search.log`). Each is a `WriteBuffer`: `add()` keeps an item,
and everything kept is written in one call once the interval has passed.

In a gunicorn worker a background thread does the writing (`start_flusher()`, from `post_worker_init` in
`portal/gunicorn.conf.py`), so no request waits for it, not even the one that comes when a write is due; and when
the database is down, pages served from the cache keep working. Elsewhere (tests, the development server) the
`add()` that finds the interval passed writes. A write that finds the database unreachable logs a warning and keeps
its items for the next attempt (at most MAX_KEPT per buffer); any other error drops them and is raised. A worker writes
what it holds when it exits (`flush_all()`); a process that is killed loses at most one interval's items.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections

from portal.views import is_outage

MAX_KEPT = 100_000  # items kept per buffer while the database is down; the oldest go first
FLUSHER_TICK = 1.0  # seconds between the background thread's looks at the buffers

logger = logging.getLogger("kb.buffer")
_buffers: list[WriteBuffer] = []
_flusher: threading.Thread | None = None
_stop_flusher = threading.Event()


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
            write_now = _flusher is None and self.due()
        if write_now:
            self.flush()

    def due(self) -> bool:
        """The interval has passed since the last write."""
        interval = getattr(settings, self._interval_setting, self._default_seconds)
        return time.monotonic() - self._last_flush >= interval

    def flush(self) -> None:
        """Write what is kept now."""
        with self._lock:
            items, self._items = self._items, []
            self._last_flush = time.monotonic()
        if not items:
            return
        try:
            self._write(items)
        except Exception as exc:
            if not is_outage(exc):
                raise
            with self._lock:
                self._items[:0] = items
                del self._items[:-MAX_KEPT]
            logger.warning("database unreachable: %d buffered writes kept for the next attempt", len(items))


def flush_all() -> None:
    for buffer in _buffers:
        buffer.flush()


def start_flusher() -> None:
    """Write every buffer from a background thread from now on (a gunicorn worker); requests no longer write."""
    global _flusher
    if _flusher is None:
        _stop_flusher.clear()
        _flusher = threading.Thread(target=_flush_when_due, name="kb-write-buffers", daemon=True)
        _flusher.start()


def stop_flusher() -> None:
    """Stop the background thread (after its current write); `add()` writes again once the interval has passed."""
    global _flusher
    if _flusher is not None:
        _stop_flusher.set()
        _flusher.join(timeout=30)
        _flusher = None


def _flush_when_due() -> None:
    while not _stop_flusher.wait(FLUSHER_TICK):
        due = [buffer for buffer in _buffers if buffer.due()]
        for buffer in due:
            try:
                buffer.flush()
            except Exception:
                logger.exception("buffered write failed")
        if due:
            connections.close_all()  # this thread's connections: the next write opens its own
