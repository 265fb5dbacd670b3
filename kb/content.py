"""An article's parts (symptoms, causes, steps with their CLI blocks and variants), cached until the article changes.

The article page reads one row (the article) and takes its parts from the cache. The cache key holds the
article's `updated_at`, and every change to a part moves it (`kb.signals`), so a stale entry is never read
again, also with a per-process cache; it simply expires.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch

from kb.models import Article, Cause, CLIBlock, Step, Symptom

CACHE_SECONDS = 24 * 60 * 60


@dataclass
class ArticleParts:
    symptoms: list[Symptom]
    causes: list[Cause]
    steps: list[Step]  # each with cli_blocks and their variants prefetched

    @property
    def has_variants(self) -> bool:
        return any(block.variants.all() for step in self.steps for block in step.cli_blocks.all())

    @classmethod
    def load(cls, article: Article) -> ArticleParts:
        blocks = CLIBlock.objects.prefetch_related("variants")
        steps = article.steps.prefetch_related(Prefetch("cli_blocks", queryset=blocks))
        return cls(symptoms=list(article.symptoms.all()), causes=list(article.causes.all()), steps=list(steps))


def cache_key(article: Article) -> str:
    return f"kb:article-parts:{article.pk}:{article.updated_at.isoformat()}"


def article_parts(article: Article) -> ArticleParts:
    """The parts of `article` as of its `updated_at`: from the cache, or loaded (4 queries) and cached."""
    key = cache_key(article)
    parts = cache.get(key)
    if parts is None:
        parts = ArticleParts.load(article)
        cache.set(key, parts, CACHE_SECONDS)
    return parts
