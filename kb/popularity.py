"""Article view counts, buffered in memory and written at most every KB_VIEW_FLUSH_SECONDS per process.

A page view must not wait for a row lock and a commit: under load every view of a popular article would
queue on that article's row. Views only break ties in rankings, so a process that dies loses at most a
few seconds of counts.
"""

from collections import Counter

from django.db import transaction
from django.db.models import F

from kb.buffer import WriteBuffer


def _write(article_ids: list[int]) -> None:
    """One UPDATE per article viewed since the last write, all or none (a write retried after an outage)."""
    from kb.models import Article

    with transaction.atomic():
        for article_id, views in Counter(article_ids).items():
            Article.objects.filter(pk=article_id).update(views=F("views") + views)


_views: WriteBuffer[int] = WriteBuffer(_write, "KB_VIEW_FLUSH_SECONDS")


def count_view(article_id: int) -> None:
    _views.add(article_id)


def flush() -> None:
    """Write the buffered counts now."""
    _views.flush()
