"""Article view counts, buffered in memory and written at most every KB_VIEW_FLUSH_SECONDS per process.

A page view must not wait for a row lock and a commit: under load every view of a popular article would
queue on that article's row. Views only break ties in rankings, so a process that dies loses at most a
few seconds of counts.
"""

import threading
import time
from collections import Counter

from django.conf import settings
from django.db.models import F

_lock = threading.Lock()
_pending: Counter[int] = Counter()
_last_flush = time.monotonic()


def count_view(article_id: int) -> None:
    global _last_flush
    with _lock:
        _pending[article_id] += 1
        due = time.monotonic() - _last_flush >= getattr(settings, "KB_VIEW_FLUSH_SECONDS", 10)
        if due:
            _last_flush = time.monotonic()
    if due:
        flush()


def flush() -> None:
    """Write the buffered counts: one UPDATE per article viewed since the last flush."""
    from kb.models import Article

    with _lock:
        pending = dict(_pending)
        _pending.clear()
    for article_id, views in pending.items():
        Article.objects.filter(pk=article_id).update(views=F("views") + views)
