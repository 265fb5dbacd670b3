"""The knowledge base: the guide's problems as articles with symptoms, causes and steps."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.numbers import INT_MAX, parse_id

KB_NUMBER_RE = re.compile(r"\bKB-([0-9]{4,10})\b", re.IGNORECASE | re.ASCII)  # ASCII digits, in int range below
RELATED_ARTICLES = 200  # articles looked at per source when finding related categories
RELATED_SYMPTOMS = 50  # symptoms sharing a reply-code family looked at
RELATED_WORDS = 10  # words matched against category names and descriptions
REPLY_CODE_RE = re.compile(r"[245]\d\d|[245]\.\d{1,3}\.\d{1,3}")
WORD_RE = re.compile(r"[a-z0-9]+")


def format_kb_number(number: int) -> str:
    return f"KB-{number:04d}"


def parse_kb_number(text: str) -> int | None:
    """`KB-0006` -> 6; anything else (also a number past the column's range) -> None."""
    match = KB_NUMBER_RE.fullmatch(text.strip())
    return parse_id(match.group(1), maximum=INT_MAX) if match else None


class CategoryQuerySet(models.QuerySet["Category"]):
    def related(
        self,
        *,
        article_ids: Iterable[int] = (),
        symptom_ids: Iterable[int] = (),
        codes: Iterable[str] = (),
        words: Iterable[str] = (),
    ) -> CategoryQuerySet:
        """Categories of these articles, of articles having one of these symptoms or a symptom with a reply code of
        the same family as one of `codes` (451 for 452, 5.7.1 for 5.7.9), or whose name or description has a word
        starting with one of `words` (lowercase letters and digits). One query; each source looks at a bounded
        number of articles and symptoms."""
        families = [_code_family(code) for code in codes if REPLY_CODE_RE.fullmatch(code)]
        linked = Q(symptom_id__in=list(symptom_ids)[:RELATED_SYMPTOMS])
        if families:
            pattern = r"(^|[^0-9.])(" + "|".join(families) + r")([^0-9.]|$)"
            similar = Symptom.objects.filter(text__regex=pattern).values("pk")[:RELATED_SYMPTOMS]
            linked |= Q(symptom_id__in=similar)
        via_symptoms = Article.symptoms.through.objects.filter(linked).values("article_id")[:RELATED_ARTICLES]
        articles = Article.objects.filter(Q(pk__in=list(article_ids)[:RELATED_ARTICLES]) | Q(pk__in=via_symptoms))
        condition = Q(pk__in=articles.values("category_id"))
        for word in list(words)[:RELATED_WORDS]:
            if WORD_RE.fullmatch(word):
                starts_word = rf"(^|[^a-z0-9]){word}"
                condition |= Q(name__iregex=starts_word) | Q(description__iregex=starts_word)
        return self.filter(condition)


def _code_family(code: str) -> str:
    """A regular expression for the codes of the same family: 45x for 452, 5.7.x for 5.7.9."""
    if "." in code:
        klass, subject, _ = code.split(".")
        return rf"{klass}\.{subject}\.[0-9]{{1,3}}"
    return rf"{code[:2]}[0-9]"


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("kb:category", args=[self.slug])


class ArticleQuerySet(models.QuerySet["Article"]):
    def by_kb_numbers(self, kb_numbers: Iterable[str]) -> ArticleQuerySet:
        numbers = [n for n in (parse_kb_number(k) for k in kb_numbers) if n is not None]
        return self.filter(number__in=numbers)

    def for_listing(self) -> ArticleQuerySet:
        return self.select_related("category").only(
            "number", "slug", "title", "summary", "views", "updated_at", "category__name", "category__slug"
        )


class Article(models.Model):
    number = models.PositiveIntegerField(unique=True, help_text="Shown as KB-0001.")
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300, help_text="The problem statement.")
    summary = models.TextField(blank=True, help_text="One or two sentences: what this means.")
    explanation = models.TextField(blank=True, help_text="The rest of the solution text, one paragraph per line.")
    steps_title = models.CharField(max_length=300, blank=True, help_text="Heading above the steps.")
    closing_note = models.TextField(blank=True, help_text="Text after the steps (how to test the fix).")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    symptoms = models.ManyToManyField("Symptom", related_name="articles", blank=True)
    related = models.ManyToManyField("self", symmetrical=True, blank=True)
    suggested_checks = models.JSONField(
        default=list, blank=True, help_text="Names of diagnostic checks that test this article's causes."
    )
    views = models.PositiveIntegerField(default=0, editable=False)
    guide_key = models.SlugField(
        max_length=120, unique=True, null=True, blank=True, editable=False, help_text="Identity in the guide."
    )
    imported_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.kb_number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("kb:article", args=[self.number, self.slug])

    @property
    def kb_number(self) -> str:
        return format_kb_number(self.number)

    def explanation_paragraphs(self) -> list[str]:
        return [p for p in self.explanation.splitlines() if p.strip()]

    def record_view(self) -> None:
        from kb.popularity import count_view

        count_view(self.pk)

    def content(self) -> dict:
        """Everything the guide import writes, as plain data (compared to detect editors' changes)."""
        steps = sorted(self.steps.all(), key=lambda s: (s.position, s.pk))
        return {
            "title": self.title,
            "summary": self.summary,
            "explanation": self.explanation,
            "steps_title": self.steps_title,
            "closing_note": self.closing_note,
            "causes": [c.text for c in sorted(self.causes.all(), key=lambda c: c.position)],
            "steps": [
                {
                    "text": s.text,
                    "alternative": s.alternative,
                    "cli": [b.text for b in sorted(s.cli_blocks.all(), key=lambda b: b.position)],
                }
                for s in steps
            ],
            "symptoms": sorted(s.text for s in self.symptoms.all()),
        }

    def content_fingerprint(self) -> str:
        return fingerprint(self.content())


def fingerprint(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


class Symptom(models.Model):
    class Kind(models.TextChoices):
        SMTP_REPLY = "smtp_reply", "SMTP reply clients see"
        LOG_MESSAGE = "log_message", "Event-log message"
        BEHAVIOUR = "behaviour", "Behaviour"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300, unique=True)
    pattern = models.CharField(
        max_length=2000,
        blank=True,
        help_text=(
            "Regular expression matched against pasted bounces and log lines (case-insensitive, RE2 syntax: "
            "no look-arounds or back-references)."
        ),
    )

    class Meta:
        ordering = ["kind", "text"]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        from kb.symptoms import PatternError, compile_pattern

        if self.pattern:
            try:
                compile_pattern(self.pattern)
            except PatternError as exc:
                raise ValidationError({"pattern": str(exc)}) from exc


class Cause(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="causes")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["article", "position"]

    def __str__(self) -> str:
        return self.text[:80]


class Step(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="steps")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="substeps")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    alternative = models.BooleanField(default=False, help_text="An alternative to the previous step ('or').")

    class Meta:
        ordering = ["article", "position"]

    def __str__(self) -> str:
        return self.text[:80]


class CLIBlock(models.Model):
    """Commands typed on the gateway's CLI, kept verbatim (one command per line)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="cli_blocks")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["step", "position"]
        verbose_name = "CLI block"

    def __str__(self) -> str:
        return self.text.splitlines()[0] if self.text else ""

    def text_for(self, firmware: str) -> str:
        """The commands for `firmware` ("7.2.7"), or the guide's text when no variant applies."""
        variant = self.variant_for(firmware)
        return variant.text if variant else self.text

    def variant_for(self, firmware: str) -> CLIVariant | None:
        if not firmware:
            return None
        wanted = version_key(firmware)
        matching = [v for v in self.variants.all() if version_key(v.min_firmware) <= wanted]
        return max(matching, key=lambda v: version_key(v.min_firmware), default=None)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"[0-9]+", version))  # ASCII digits, as everywhere


class CLIVariant(models.Model):
    block = models.ForeignKey(CLIBlock, on_delete=models.CASCADE, related_name="variants")
    min_firmware = models.CharField(max_length=20, help_text="First FortiMail firmware this applies to, e.g. 7.2.7.")
    text = models.TextField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["block", "min_firmware"]
        constraints = [models.UniqueConstraint(fields=["block", "min_firmware"], name="unique_variant_per_firmware")]
        verbose_name = "CLI variant"

    def __str__(self) -> str:
        return f"FortiMail {self.min_firmware} and later"

    @classmethod
    def firmware_choices(cls) -> list[str]:
        versions = set(cls.objects.values_list("min_firmware", flat=True))
        return sorted(versions, key=version_key)


# --- Search ------------------------------------------------------------------------------------


class SearchDocument(models.Model):
    """One article flattened into weighted text columns; the full-text index (FTS5 or tsvector) follows this table.

    Kept up to date from the article and its causes, steps, CLI blocks and symptoms (`kb.search.index`).
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    title = models.TextField(blank=True)
    symptoms = models.TextField(blank=True)
    causes = models.TextField(blank=True)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title[:80]


class SearchTerm(models.Model):
    """Vocabulary of the indexed text (lightly stemmed), trigram-indexed to correct misspelled query words."""

    stem = models.CharField(max_length=64, unique=True)
    word = models.CharField(max_length=64, help_text="A word of the documents with this stem.")

    def __str__(self) -> str:
        return self.stem


class SynonymSet(models.Model):
    """Words and phrases that mean the same to the search ("whitelist, safelist, allowlist"): a query with one
    of them also finds articles that use another, on both database engines."""

    terms = models.CharField(
        max_length=500,
        unique=True,
        help_text='Comma-separated words or phrases, e.g. "backup MX, secondary MX, lower-priority MX".',
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why these mean the same (for other editors).")

    class Meta:
        ordering = ["terms"]
        verbose_name = "synonym set"

    def __str__(self) -> str:
        return self.terms

    def phrases(self) -> list[str]:
        """The terms as search phrases: lower case, words only, one space between them; duplicates dropped."""
        found: dict[str, None] = {}
        for term in self.terms.split(","):
            words = SYNONYM_WORD_RE.findall(term.lower())
            if words:
                found.setdefault(" ".join(words), None)
        return list(found)

    def clean(self) -> None:
        if len(self.phrases()) < 2:
            raise ValidationError({"terms": "Give at least two different words or phrases, separated by commas."})


SYNONYM_WORD_RE = re.compile(r"[^\W_]+")


class SearchQueryLog(models.Model):
    """One search someone ran (page, search-as-you-type or API), and which result they opened."""

    query = models.CharField(max_length=500, blank=True)
    symptom_ids = models.JSONField(default=list, blank=True)
    result_count = models.PositiveIntegerField(default=0)
    best_relevance = models.CharField(
        max_length=6, blank=True, help_text="strong or weak: how closely the first result matches (blank: none)."
    )
    source = models.CharField(max_length=10, default="page")
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)  # API rows: buffered
    opened_article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="First result opened."
    )
    opened_position = models.PositiveIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "search"
        verbose_name_plural = "searches"

    def __str__(self) -> str:
        return self.query or "(symptoms only)"


class ArticleVoteQuerySet(models.QuerySet["ArticleVote"]):
    def tally(self) -> dict[str, int]:
        """{"helpful": n, "not_helpful": m} over these votes (one query)."""
        counts = self.aggregate(
            yes=models.Count("pk", filter=Q(helpful=True)), no=models.Count("pk", filter=Q(helpful=False))
        )
        return {"helpful": counts["yes"] or 0, "not_helpful": counts["no"] or 0}


class ArticleVote(models.Model):
    """A reader's answer to "Was this helpful?": one per user and article, changeable, with an optional comment."""

    COMMENT_MAX = 1000

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_votes")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=COMMENT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleVoteQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="kb_one_vote_per_user_article")]
        verbose_name = "helpfulness vote"

    def __str__(self) -> str:
        return f"{self.article.kb_number}: {'helpful' if self.helpful else 'not helpful'}"

    @classmethod
    def cast(cls, article: Article, user: object, helpful: bool, comment: str = "") -> tuple[ArticleVote, bool]:
        """Record `user`'s vote on `article`, replacing their earlier one; (vote, created)."""
        return cls.objects.update_or_create(
            article=article, user=user, defaults={"helpful": helpful, "comment": comment.strip()}
        )
