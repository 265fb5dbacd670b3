"""What follows a change to an article or one of its parts (causes, steps, CLI blocks and variants, symptoms), to
the links between related articles, or to a category: the one set of receivers that decides when the knowledge
base's cached content is stale.

- Its search document is refreshed (`kb.search.index`), so the full-text index follows the article.
- Its `updated_at` moves, and so does that of every article whose page shows the change (both ends of a new or
  removed related link, the related articles of a deleted one, the articles of a renamed category): readers see
  when an article last changed, whatever part changed, and the cached body of the article page (`kb.content`) is
  keyed by these times, read from the database with the article, the same in every process.
- The knowledge base's generation is renewed (`kb.generation.KNOWLEDGE_BASE`): cached search answers and article
  bodies are not read again (at once in every process with the shared cache).
- A changed symptom also reloads the compiled symptom patterns (`kb.search.matcher`); a changed synonym set
  renews the generation too, which reloads the sets (`kb.search.synonyms`) and drops cached answers.

Bulk writes (`import_guide`, `import_kb`) save the article itself after writing its related rows, so they are
covered too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from kb.generation import KNOWLEDGE_BASE
from kb.models import Article, Category, Cause, CLIBlock, CLIVariant, Step, Symptom, SynonymSet
from kb.search import matcher
from kb.search.index import refresh_documents


def touch(article_ids: Iterable[int]) -> None:
    """Mark articles as changed now."""
    Article.objects.filter(pk__in=list(article_ids)).update(updated_at=timezone.now())
    KNOWLEDGE_BASE.renew()


def _parts_changed(article_ids: Iterable[int], *, create: bool = True) -> None:
    article_ids = list(article_ids)
    refresh_documents(article_ids, create=create)
    touch(article_ids)


@receiver(post_save, sender=Article)
def _article_saved(sender: type, instance: Article, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        refresh_documents([instance.pk])
        KNOWLEDGE_BASE.renew()


@receiver(pre_delete, sender=Article)
def _article_deleting(sender: type, instance: Article, **kwargs: object) -> None:
    instance.related_ids_before_delete = list(instance.related.values_list("pk", flat=True))


@receiver(post_delete, sender=Article)
def _article_deleted(sender: type, instance: Article, **kwargs: object) -> None:
    touch(getattr(instance, "related_ids_before_delete", []))  # their related lists lose it


@receiver(post_save, sender=Cause)
@receiver(post_delete, sender=Cause)
@receiver(post_save, sender=Step)
@receiver(post_delete, sender=Step)
def _part_changed(sender: type, instance: Cause | Step, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        _parts_changed([instance.article_id], create="created" in kwargs)


@receiver(post_save, sender=CLIBlock)
@receiver(post_delete, sender=CLIBlock)
def _cli_block_changed(sender: type, instance: CLIBlock, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        article_ids = Step.objects.filter(pk=instance.step_id).values_list("article_id", flat=True)
        _parts_changed(article_ids, create="created" in kwargs)


@receiver(post_save, sender=CLIVariant)
@receiver(post_delete, sender=CLIVariant)
def _cli_variant_changed(sender: type, instance: CLIVariant, raw: bool = False, **kwargs: object) -> None:
    if not raw:  # variants are not searched: the document stays as it is
        touch(Article.objects.filter(steps__cli_blocks=instance.block_id).values_list("pk", flat=True))


@receiver(post_save, sender=Symptom)
def _symptom_saved(sender: type, instance: Symptom, raw: bool = False, **kwargs: object) -> None:
    matcher.forget_patterns()  # also for fixtures (raw): their patterns are new
    if not raw:
        _parts_changed(instance.articles.values_list("pk", flat=True))


@receiver(pre_delete, sender=Symptom)
def _symptom_deleting(sender: type, instance: Symptom, **kwargs: object) -> None:
    instance.losing_article_ids = list(instance.articles.values_list("pk", flat=True))


@receiver(post_delete, sender=Symptom)
def _symptom_deleted(sender: type, instance: Symptom, **kwargs: object) -> None:
    matcher.forget_patterns()
    _parts_changed(getattr(instance, "losing_article_ids", []), create=False)


@receiver(m2m_changed, sender=Article.symptoms.through)
def _symptoms_linked(
    sender: type, instance: models.Model, action: str, reverse: bool, pk_set: set | None, **kwargs: object
) -> None:
    if reverse and action == "pre_clear":  # symptom.articles.clear(): remember who loses it
        instance.losing_article_ids = list(instance.articles.values_list("pk", flat=True))
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _parts_changed([instance.pk])
    else:
        _parts_changed(pk_set or getattr(instance, "losing_article_ids", []))


@receiver(m2m_changed, sender=Article.related.through)
def _related_linked(sender: type, instance: Article, action: str, pk_set: set | None, **kwargs: object) -> None:
    """The related list is part of both ends' cached bodies (the relation is symmetrical)."""
    if action == "pre_clear":
        instance.related_ids_before_clear = list(instance.related.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        touch([instance.pk, *(pk_set or ())])
    elif action == "post_clear":
        touch([instance.pk, *getattr(instance, "related_ids_before_clear", [])])


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
def _category_changed(sender: type, instance: Category, raw: bool = False, **kwargs: object) -> None:
    if not raw:  # each article's breadcrumb is part of its cached body (a category in use is never deleted)
        touch(Article.objects.filter(category=instance.pk).values_list("pk", flat=True))


@receiver(post_save, sender=SynonymSet)
@receiver(post_delete, sender=SynonymSet)
def _synonyms_changed(sender: type, instance: SynonymSet, **kwargs: object) -> None:
    KNOWLEDGE_BASE.renew()
