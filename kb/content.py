"""The article page's body (breadcrumb, title, symptoms, explanation, causes, numbered steps with CLI blocks,
related articles), rendered once and cached as HTML until the article or the knowledge base changes.

Every page reads the article's row (one query, which also reads the newest `updated_at` of its related articles)
and takes the body from Django's cache under a key made of the article, the reader's firmware version (the CLI
blocks are shown in its spelling) and the newest of those `updated_at` values. Every change to an article's parts,
links or category moves the `updated_at` of the articles that show it (`kb.signals`), so a change shows at once in
every process, with the shared cache (REDIS_URL) or the per-process one alike, and so does a `QuerySet.update()`
that sets `updated_at`. The body is also kept under the knowledge base's generation (`kb.generation`), renewed by
`kb.signals` on any change: what no article's `updated_at` records (a firmware version added to another article's
CLI block, which the firmware picker offers) shows at once with the shared cache, and within CACHE_SECONDS in other
processes with the per-process cache.

The cache holds plain values (strings: the rendered HTML), never model rows: a release that renders differently
needs no key version, because a body of another shape is rendered again.

Not part of the body: anything that depends on the reader (the firmware picker's form, which carries the reader's
CSRF token; the blocks other apps add through `portal.panels`, e.g. the linked tickets), rendered for every page.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from kb.generation import KNOWLEDGE_BASE
from kb.models import Article, CLIBlock, CLIVariant

CACHE_SECONDS = 60
TEMPLATE = "kb/_article_body.html"


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

    def to_cache(self) -> dict[str, object]:
        """Plain values for the cache: strings and a list of strings."""
        return {name: plain(value) for name, value in dataclasses.asdict(self).items()}

    @classmethod
    def from_cache(cls, value: object) -> ArticleBody | None:
        """The body `to_cache()` stored, or None for anything else (e.g. what an older release stored)."""
        if not isinstance(value, dict) or set(value) != {f.name for f in dataclasses.fields(cls)}:
            return None
        html = {name: mark_safe(value[name]) for name in ("main", "steps", "related")}  # noqa: S308 - rendered here
        return cls(**html, firmware=value["firmware"], firmware_choices=list(value["firmware_choices"]))


def plain(value: object) -> object:
    """`value` without Django's SafeString class: what the cache stores is str (lists of str)."""
    if isinstance(value, str):
        return str.join("", [value])
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def changed_at(article: Article) -> str:
    """When the article's body last changed: its `updated_at`, or a related article's if newer (its title shows)."""
    stamps = [article.updated_at, getattr(article, "related_updated_at", None)]
    return max(stamp for stamp in stamps if stamp is not None).isoformat()


def cache_key(article: Article, firmware: str) -> str:
    return f"kb:article-body:{article.pk}:{firmware}:{changed_at(article)}"


def article_body(article: Article, firmware: str = "") -> ArticleBody:
    """The body of `article`, CLI blocks in `firmware`'s spelling: from the cache, or rendered and cached."""
    rendered: list[ArticleBody] = []

    def render() -> dict[str, object]:
        rendered.append(ArticleBody.render(article, firmware))
        return rendered[0].to_cache()

    cached = ArticleBody.from_cache(KNOWLEDGE_BASE.get_or_set(cache_key(article, firmware), render, CACHE_SECONDS))
    # Rendered now, or a value of another shape (an older release's until it expires): rendered for this page.
    return rendered[0] if rendered else cached or ArticleBody.render(article, firmware)


def article_page(number: int, firmware: str = "") -> tuple[Article, ArticleBody]:
    """The article numbered `number` (Http404 if there is none) and its body, CLI blocks in `firmware`'s spelling."""
    newest_related = Article.objects.filter(related=OuterRef("pk")).order_by("-updated_at").values("updated_at")
    articles = Article.objects.annotate(related_updated_at=Subquery(newest_related[:1]))  # the category: on a miss
    article = get_object_or_404(articles, number=number)
    return article, article_body(article, firmware)
