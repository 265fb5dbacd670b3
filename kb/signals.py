"""A change to any part of an article moves the article's `updated_at` and drops cached search answers.

Readers see when an article last changed, whatever part changed, and the cached parts of the article page
(`kb.content`) are keyed by `updated_at`. Bulk writes (the importers) save the article itself afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from kb.models import Article, Cause, CLIBlock, CLIVariant, Step, Symptom
from kb.search import answers


def touch(articles: Iterable[int] | models.QuerySet) -> None:
    """Mark articles (ids or a queryset) as changed now."""
    queryset = articles if isinstance(articles, models.QuerySet) else Article.objects.filter(pk__in=list(articles))
    queryset.update(updated_at=timezone.now())
    answers.forget_all()


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
def _article_changed(sender: type, instance: Article, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        answers.forget_all()


@receiver(post_save, sender=Cause)
@receiver(post_delete, sender=Cause)
@receiver(post_save, sender=Step)
@receiver(post_delete, sender=Step)
def _part_changed(sender: type, instance: Cause | Step, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        touch([instance.article_id])


@receiver(post_save, sender=CLIBlock)
@receiver(post_delete, sender=CLIBlock)
def _cli_block_changed(sender: type, instance: CLIBlock, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        touch(Article.objects.filter(steps=instance.step_id))


@receiver(post_save, sender=CLIVariant)
@receiver(post_delete, sender=CLIVariant)
def _cli_variant_changed(sender: type, instance: CLIVariant, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        touch(Article.objects.filter(steps__cli_blocks=instance.block_id))


@receiver(post_save, sender=Symptom)
def _symptom_saved(sender: type, instance: Symptom, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        touch(Article.objects.filter(symptoms=instance))


@receiver(pre_delete, sender=Symptom)
def _symptom_deleting(sender: type, instance: Symptom, **kwargs: object) -> None:
    touch(Article.objects.filter(symptoms=instance))


@receiver(m2m_changed, sender=Article.symptoms.through)
def _symptoms_linked(
    sender: type, instance: models.Model, action: str, reverse: bool, pk_set: set | None, **kwargs: object
) -> None:
    if action == "pre_clear" and reverse:  # symptom.articles.clear()
        touch(Article.objects.filter(symptoms=instance))
    elif action in ("post_add", "post_remove", "post_clear"):
        touch([instance.pk] if not reverse else pk_set or ())
