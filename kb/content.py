"""The article page's body (breadcrumb, title, symptoms, explanation, causes, numbered steps with CLI blocks,
related articles), rendered once and cached until the article or the knowledge base changes.

The article page takes its body from the cache, as HTML rendered by `kb/_article_body.html`, in one of two ways.

With the shared cache (REDIS_URL; `KB_ARTICLE_CACHE_SECONDS` is then above 0) the article's row is cached with its
body (one entry per article and firmware) under the knowledge base's generation, which `kb.signals` renews for every
process on any change: a cached article page reads no row at all (`article_page`).

With the per-process cache the page reads the article's row, and the body's cache key holds:
- the article's `updated_at`, which every change to one of its parts moves (`kb.signals`): an article's own
  changes show at once, also with a per-process cache;
- the reader's firmware version, because the CLI blocks are shown in its spelling.
The body is kept with the knowledge base's generation (`kb.generation.KNOWLEDGE_BASE.get_or_set`), which
`kb.signals` renews on any change, so a renamed category, a related article's new title, a new link and a
firmware version added elsewhere show too: at once with the shared cache (REDIS_URL), within CACHE_SECONDS in
other processes with the per-process cache.

Not part of the body: the firmware picker's form, which carries the reader's CSRF token and is rendered for every
page, and the linked tickets, cached on their own (`tickets.linked`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from kb.generation import KNOWLEDGE_BASE
from kb.models import Article, CLIBlock, CLIVariant

CACHE_SECONDS = 60
TEMPLATE = "kb/_article_body.html"
KEY_PREFIX = "kb:article-body:v2"  # a new version when ArticleBody changes: a release never reads an older shape
PAGE_KEY_PREFIX = "kb:article-page:v1"  # (article, body) pairs: a new version when ArticleBody or Article changes


@dataclass(frozen=True)
class ArticleBody:
    main: SafeString  # breadcrumb, title, symptoms, explanation, causes
    steps: SafeString  # the numbered steps; empty when the article has none
    related: SafeString  # related articles; empty when there are none
    firmware: str = ""  # the firmware whose CLI spelling the steps show ("" for the guide's own)
    firmware_choices: list[str] = field(default_factory=list)  # offered by the picker when a block has variants

    @classmethod
    def render(cls, article: Article, firmware: str) -> ArticleBody:
        """Read the article's parts (6 queries, 7 with CLI variants) and render them."""
        blocks = CLIBlock.objects.prefetch_related("variants")
        steps = list(article.steps.prefetch_related(Prefetch("cli_blocks", queryset=blocks)))
        has_variants = any(block.variants.all() for step in steps for block in step.cli_blocks.all())
        firmware_choices = CLIVariant.firmware_choices() if has_variants else []
        if firmware not in firmware_choices:
            firmware = ""
        for step in steps:
            for block in step.cli_blocks.all():
                block.shown_text = block.text_for(firmware)
                block.shown_variant = block.variant_for(firmware)
        context = {
            "article": article,
            "symptoms": article.symptoms.all(),
            "causes": article.causes.all(),
            "steps": steps,
            "related": list(article.related.only("number", "slug", "title")),
        }
        return cls(
            main=render_to_string(f"{TEMPLATE}#main", context),
            steps=render_to_string(f"{TEMPLATE}#steps", context) if steps else SafeString(),
            related=render_to_string(f"{TEMPLATE}#related", context) if context["related"] else SafeString(),
            firmware=firmware,
            firmware_choices=firmware_choices,
        )


def cache_key(article: Article, firmware: str) -> str:
    return f"{KEY_PREFIX}:{article.pk}:{article.updated_at.isoformat()}:{firmware}"


def article_body(article: Article, firmware: str = "") -> ArticleBody:
    """The body of `article`, CLI blocks in `firmware`'s spelling: from the cache, or rendered and cached."""
    render = functools.partial(ArticleBody.render, article, firmware)
    return KNOWLEDGE_BASE.get_or_set(cache_key(article, firmware), render, CACHE_SECONDS)


def article_page(number: int, firmware: str = "") -> tuple[Article, ArticleBody]:
    """The article numbered `number` (Http404 if there is none) and its body, CLI blocks in `firmware`'s spelling.

    With the shared cache both come from it, kept under the knowledge base's generation; otherwise the article's
    row is read and its body comes from `article_body()`.
    """
    if not (seconds := settings.KB_ARTICLE_CACHE_SECONDS):
        article = get_object_or_404(Article, number=number)
        return article, article_body(article, firmware)

    def read() -> tuple[Article, ArticleBody]:
        article = get_object_or_404(Article, number=number)
        return article, ArticleBody.render(article, firmware)

    return KNOWLEDGE_BASE.get_or_set(f"{PAGE_KEY_PREFIX}:{number}:{firmware}", read, seconds)
