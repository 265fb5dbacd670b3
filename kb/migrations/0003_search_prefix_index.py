"""Faster full-text lookups (issue 3, 100k articles).

SQLite: index word prefixes up to 7 characters (was 2-4), so search-as-you-type prefixes such as `greyl`,
`quaran` or `server` read a stored prefix list instead of merging every matching word's list per query.
PostgreSQL: no pending list on the documents' GIN index (as on the vocabulary's), so a lookup never scans
unsorted pending entries (5 ms for a rare word after a bulk load; 0.2 ms without).
"""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _recreate_fts(prefixes: str) -> list[str]:
    # The triggers on kb_searchdocument name the FTS table only in their bodies: they stay valid.
    return [
        "DROP TABLE kb_search_fts",
        f"""CREATE VIRTUAL TABLE kb_search_fts USING fts5(
            title, symptoms, causes, body,
            content='kb_searchdocument', content_rowid='article_id',
            tokenize='porter unicode61 remove_diacritics 2', prefix='{prefixes}')""",
        "INSERT INTO kb_search_fts(kb_search_fts) VALUES ('rebuild')",
    ]


def _gin_fastupdate(value: str) -> list[str]:
    return [
        f"ALTER INDEX kb_searchdocument_vector_gin SET (fastupdate = {value})",
        "SELECT gin_clean_pending_list('kb_searchdocument_vector_gin'::regclass)",
    ]


def _run(statements_by_vendor: dict[str, list[str]]) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_search")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": _recreate_fts("2 3 4 5 6 7"), "postgresql": _gin_fastupdate("off")}),
            _run({"sqlite": _recreate_fts("2 3 4"), "postgresql": _gin_fastupdate("on")}),
        )
    ]
