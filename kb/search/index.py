"""The search documents: each article flattened into weighted columns, refreshed when the article changes.

The engines index `SearchDocument` (SQLite: FTS5 external-content table kept in sync by triggers; PostgreSQL:
a generated, GIN-indexed tsvector column). `refresh_documents()` keeps a document following its article, causes,
steps, CLI blocks and symptoms; `kb.signals` calls it whenever one of those changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, models, transaction

from kb.models import Article, Cause, CLIBlock, SearchDocument, SearchTerm, Step
from kb.search.text import CONTROL_RE, vocabulary
from portal.generation import Generation

# The search documents' generation: what is derived from them (document frequencies, stemmed documents in
# `kb.search.relevance`) is kept under it. Renewed only when a document changes, not when cached answers are
# dropped (the knowledge base's generation also follows categories and links).
DOCUMENTS = Generation("kb:search:documents")


def document_fields(article: Article) -> dict[str, str]:
    """The four weighted columns for an article with causes, steps (and CLI blocks) and symptoms prefetched."""
    steps = sorted(article.steps.all(), key=lambda s: (s.position, s.pk))
    body = [article.summary, article.explanation, article.steps_title, article.closing_note]
    for step in steps:
        body.append(step.text)
        body += [block.text for block in step.cli_blocks.all()]
    fields = {
        "title": article.title,
        "symptoms": "\n".join(s.text for s in article.symptoms.all()),
        "causes": "\n".join(c.text for c in sorted(article.causes.all(), key=lambda c: c.position)),
        "body": "\n".join(part for part in body if part),
    }
    # \x01 and \x02 mark highlights in snippets: documents never contain them.
    return {name: CONTROL_RE.sub(" ", value) for name, value in fields.items()}


def _articles(article_ids: Iterable[int] | None = None, model: type[models.Model] = Article) -> models.QuerySet:
    queryset = model.objects.prefetch_related("causes", "symptoms", "steps__cli_blocks")
    return queryset if article_ids is None else queryset.filter(pk__in=list(article_ids))


def refresh_documents(article_ids: Iterable[int], *, create: bool = True) -> None:
    """Rewrite the documents of these articles (deleted articles lose theirs by cascade).

    `create=False` only updates existing documents: used while rows are being deleted, when the article
    itself may be going too.
    """
    ids = set(article_ids)
    if not ids:
        return
    for article in _articles(ids):
        fields = document_fields(article)
        current = SearchDocument.objects.filter(pk=article.pk).values("title", "symptoms", "causes", "body").first()
        if current == fields or (current is None and not create):
            continue  # unchanged: the index is not touched
        if current is None:
            SearchDocument.objects.create(article=article, **fields)
        else:
            SearchDocument.objects.filter(pk=article.pk).update(**fields)
        add_terms(" ".join(fields.values()))
        DOCUMENTS.renew()


def add_terms(text: str) -> None:
    """Add the document's new words to the spelling vocabulary (words are never removed: harmless)."""
    words = vocabulary(text)
    known = set(SearchTerm.objects.filter(stem__in=list(words)).values_list("stem", flat=True))
    new = [SearchTerm(stem=stem, word=word) for stem, word in words.items() if stem not in known]
    if new:
        SearchTerm.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)


def rebuild(batch_size: int = 5000) -> int:
    """Recreate every document and the vocabulary from scratch (plain value queries: fast on large KBs).

    The full-text indexes are built once at the end instead of row by row (see `_indexes_built_after`); on
    PostgreSQL that locks the search tables until the rebuild commits. Returns the number of documents.
    """
    with transaction.atomic(), _indexes_built_after():
        SearchDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        total = 0
        terms: dict[str, str] = {}
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            documents = _documents_between(chunk[0], chunk[-1])
            for document in documents:
                text = f"{document.title} {document.symptoms} {document.causes} {document.body}"
                for stem, word in vocabulary(text).items():
                    terms.setdefault(stem, word)
            SearchDocument.objects.bulk_create(documents, batch_size=1000)
            total += len(documents)
        SearchTerm.objects.bulk_create([SearchTerm(stem=s, word=w) for s, w in terms.items()], batch_size=1000)
    DOCUMENTS.renew()
    return total


# The triggers and indexes of migrations 0002/0003, dropped during a rebuild and created again after it.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER kb_searchdocument_ai AFTER INSERT ON kb_searchdocument BEGIN
        INSERT INTO kb_search_fts(rowid, title, symptoms, causes, body)
        VALUES (new.article_id, new.title, new.symptoms, new.causes, new.body);
    END""",
    """CREATE TRIGGER kb_searchdocument_ad AFTER DELETE ON kb_searchdocument BEGIN
        INSERT INTO kb_search_fts(kb_search_fts, rowid, title, symptoms, causes, body)
        VALUES ('delete', old.article_id, old.title, old.symptoms, old.causes, old.body);
    END""",
    """CREATE TRIGGER kb_searchterm_ai AFTER INSERT ON kb_searchterm BEGIN
        INSERT INTO kb_searchterm_fts(rowid, stem) VALUES (new.id, new.stem);
    END""",
    """CREATE TRIGGER kb_searchterm_ad AFTER DELETE ON kb_searchterm BEGIN
        INSERT INTO kb_searchterm_fts(kb_searchterm_fts, rowid, stem) VALUES ('delete', old.id, old.stem);
    END""",
]
POSTGRES_INDEXES = [
    "CREATE INDEX kb_searchdocument_vector_gin ON kb_searchdocument USING gin (search_vector) WITH (fastupdate = off)",
    "CREATE INDEX kb_searchterm_stem_trgm ON kb_searchterm USING gin (stem gin_trgm_ops) WITH (fastupdate = off)",
]


@contextmanager
def _indexes_built_after() -> Iterator[None]:
    """Bulk-load mode: without the per-row index maintenance, then each full-text index built in one pass.

    SQLite: the FTS5 insert/delete triggers are dropped and the FTS5 tables rebuilt from their content tables
    at the end. PostgreSQL: the GIN indexes are dropped and created again (one sorted build instead of 100k
    inserts), then the tables analysed so the planner knows how common each word is.
    """
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            for name in ("kb_searchdocument_ai", "kb_searchdocument_ad", "kb_searchterm_ai", "kb_searchterm_ad"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS kb_searchdocument_vector_gin, kb_searchterm_stem_trgm")
    yield
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            for statement in SQLITE_TRIGGERS:
                cursor.execute(statement)
            cursor.execute("INSERT INTO kb_search_fts(kb_search_fts) VALUES ('rebuild')")
            cursor.execute("INSERT INTO kb_searchterm_fts(kb_searchterm_fts) VALUES ('rebuild')")
        elif vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # CREATE INDEX refuses to run while deferred foreign-key checks of the new rows are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for statement in POSTGRES_INDEXES:
                cursor.execute(statement)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("ANALYZE kb_searchdocument, kb_searchterm")


def _between(field: str, low: int, high: int) -> dict[str, int]:
    return {f"{field}__gte": low, f"{field}__lte": high}


def _documents_between(low: int, high: int) -> list[SearchDocument]:
    """Documents for articles with low <= pk <= high, the same text `document_fields` gives, in five queries."""
    parts: dict[int, dict[str, list[str]]] = {}
    articles = Article.objects.filter(**_between("pk", low, high)).values_list(
        "pk", "title", "summary", "explanation", "steps_title", "closing_note"
    )
    for pk, title, summary, explanation, steps_title, closing_note in articles:
        parts[pk] = {
            "title": [title],
            "symptoms": [],
            "causes": [],
            "body": [summary, explanation, steps_title, closing_note],
        }
    links = Article.symptoms.through.objects.filter(**_between("article_id", low, high)).order_by(
        "symptom__kind", "symptom__text"
    )
    for article_id, text in links.values_list("article_id", "symptom__text"):
        parts[article_id]["symptoms"].append(text)
    for article_id, text in (
        Cause.objects.filter(**_between("article_id", low, high))
        .order_by("article_id", "position")
        .values_list("article_id", "text")
    ):
        parts[article_id]["causes"].append(text)
    blocks: dict[int, list[str]] = {}
    cli = CLIBlock.objects.filter(**_between("step__article__id", low, high)).order_by("step_id", "position")
    for step_id, text in cli.values_list("step_id", "text"):
        blocks.setdefault(step_id, []).append(text)
    steps = Step.objects.filter(**_between("article_id", low, high)).order_by("article_id", "position", "pk")
    for step_id, article_id, text in steps.values_list("pk", "article_id", "text"):
        parts[article_id]["body"] += [text, *blocks.get(step_id, [])]
    documents = []
    for pk, columns in parts.items():
        fields = {name: CONTROL_RE.sub(" ", "\n".join(p for p in values if p)) for name, values in columns.items()}
        documents.append(SearchDocument(article_id=pk, **fields))
    return documents
