"""Move a knowledge base between installations: one JSON document keyed by natural keys.

Categories are identified by slug, symptoms by text, articles by KB number; an article's causes,
steps, CLI blocks and variants travel inside it. `import_kb` replaces what it names, in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch

from kb.models import Article, Category, Cause, CLIBlock, CLIVariant, Step, Symptom

FORMAT = "mta-portal-kb"
VERSION = 1
ARTICLE_FIELDS = [
    "slug",
    "title",
    "summary",
    "explanation",
    "steps_title",
    "closing_note",
    "suggested_checks",
    "guide_key",
    "imported_fingerprint",
]


class TransferError(ValueError):
    """The document is not a knowledge-base export this version understands."""


def export_kb() -> dict[str, Any]:
    steps = Step.objects.prefetch_related(
        Prefetch("cli_blocks", queryset=CLIBlock.objects.prefetch_related("variants"))
    )
    articles = Article.objects.select_related("category").prefetch_related(
        "causes",
        Prefetch("steps", queryset=steps),
        "symptoms",
        Prefetch("related", queryset=Article.objects.only("number")),
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "categories": [
            {"slug": c.slug, "name": c.name, "description": c.description, "position": c.position}
            for c in Category.objects.all()
        ],
        "symptoms": [{"text": s.text, "kind": s.kind, "pattern": s.pattern} for s in Symptom.objects.all()],
        "articles": [_export_article(a) for a in articles],
    }


def _export_article(article: Article) -> dict[str, Any]:
    steps = list(article.steps.all())
    index = {step.pk: i for i, step in enumerate(steps)}
    return {
        "number": article.number,
        **{name: getattr(article, name) for name in ARTICLE_FIELDS},
        "category": article.category.slug,
        "symptoms": sorted(s.text for s in article.symptoms.all()),
        "related": sorted(r.number for r in article.related.all()),
        "causes": [c.text for c in article.causes.all()],
        "steps": [
            {
                "text": step.text,
                "alternative": step.alternative,
                "parent": index.get(step.parent_id),
                "cli": [
                    {
                        "text": block.text,
                        "variants": [
                            {"min_firmware": v.min_firmware, "text": v.text, "note": v.note}
                            for v in block.variants.all()
                        ],
                    }
                    for block in step.cli_blocks.all()
                ],
            }
            for step in steps
        ],
    }


def import_kb(document: Any) -> dict[str, int]:
    """Create or replace categories, symptoms and articles named in `document`; returns counts."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TransferError(f"Not a knowledge-base export (expected format '{FORMAT}').")
    if document.get("version") != VERSION:
        raise TransferError(f"Unsupported export version {document.get('version')!r} (this portal reads {VERSION}).")
    try:
        with transaction.atomic():
            categories = {
                c["slug"]: Category.objects.update_or_create(
                    slug=c["slug"], defaults=_pick(c, "name", "description", "position")
                )[0]
                for c in document["categories"]
            }
            symptoms = {
                s["text"]: Symptom.objects.update_or_create(text=s["text"], defaults=_pick(s, "kind", "pattern"))[0]
                for s in document["symptoms"]
            }
            articles = {}
            for data in document["articles"]:
                article, _ = Article.objects.update_or_create(
                    number=data["number"],
                    defaults={**_pick(data, *ARTICLE_FIELDS), "category": categories[data["category"]]},
                )
                _replace_children(article, data)
                article.symptoms.set([symptoms[text] for text in data["symptoms"]])
                articles[article.number] = (article, data["related"])
            for article, related in articles.values():
                article.related.set(Article.objects.filter(number__in=related))
    except (KeyError, TypeError, AttributeError) as exc:
        raise TransferError(f"The export is incomplete or malformed ({exc.__class__.__name__}: {exc}).") from None
    return {"categories": len(categories), "symptoms": len(symptoms), "articles": len(articles)}


def _pick(data: dict, *names: str) -> dict:
    return {name: data[name] for name in names}


def _replace_children(article: Article, data: dict) -> None:
    article.causes.all().delete()
    Cause.objects.bulk_create(Cause(article=article, position=i, text=t) for i, t in enumerate(data["causes"], 1))
    article.steps.all().delete()
    created: list[Step] = []
    for position, step_data in enumerate(data["steps"], 1):
        parent = created[step_data["parent"]] if step_data.get("parent") is not None else None
        step = Step.objects.create(
            article=article,
            parent=parent,
            position=position,
            text=step_data["text"],
            alternative=step_data["alternative"],
        )
        created.append(step)
        for block_position, block_data in enumerate(step_data["cli"], 1):
            block = CLIBlock.objects.create(step=step, position=block_position, text=block_data["text"])
            CLIVariant.objects.bulk_create(
                CLIVariant(block=block, **_pick(v, "min_firmware", "text", "note")) for v in block_data["variants"]
            )
