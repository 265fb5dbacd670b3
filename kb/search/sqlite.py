"""SQLite engine: FTS5 external-content index over `kb_searchdocument` (porter stemming, bm25 column weights,
snippet()); misspellings through a trigram FTS5 index of the vocabulary (`kb_searchterm_fts`)."""

from __future__ import annotations

from django.db import connection

from kb.search.engine import CORRECTION_CANDIDATES, Engine, TextQuery

POOL = 1000  # matching documents ranked per query (only common terms on large indexes have more)
# Same columns and tokenizer as kb_search_fts (migration 0002), so snippets come out the same.
PAGE_TABLE_SQL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.kb_search_page USING fts5("
    "title, symptoms, causes, body, tokenize='porter unicode61 remove_diacritics 2')"
)
REQUIRED_SQL = (
    " AND f.rowid IN (SELECT article_id FROM kb_article_symptoms WHERE symptom_id IN ({marks})"
    " GROUP BY article_id HAVING count(DISTINCT symptom_id) = {n})"
)


def match_expression(query: TextQuery, *, any_token: bool) -> str:
    """An FTS5 query built only from sanitised tokens, each a quoted string: user syntax never reaches FTS5."""
    parts = []
    for token in query.tokens:
        # Codes like 5.7.1 become the phrase "5 7 1". A prefix covers the word itself (FTS5 stems it too), so it
        # is searched alone, as on PostgreSQL: an extra exact phrase costs bm25 another pass over its doclist.
        alternatives = [f'"{token.text}"*' if token.prefix else f'"{token.text}"']
        if token.text in query.corrections:
            alternatives.append(f'"{query.corrections[token.text]}"')
        alternatives += [f'"{synonym}"' for synonym in token.synonyms]  # a phrase in quotes is an FTS5 phrase
        parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return (" OR " if any_token else " AND ").join(parts)


class SQLiteEngine(Engine):
    def rank(self, query: TextQuery, required: list[int], cap: int, *, any_token: bool) -> list[tuple[int, float]]:
        """bm25 over a bounded pool: the first POOL matching documents in article id order (all of them unless
        the terms are common), as the PostgreSQL engine takes them in storage order.

        One pass in rowid order (FTS5 walks its doclists; bm25 is computed only for the rows returned).
        """
        weights = ", ".join(str(w) for w in self.WEIGHTS)
        sql = f"SELECT f.rowid, -bm25(kb_search_fts, {weights}) FROM kb_search_fts f WHERE kb_search_fts MATCH %s"  # noqa: S608
        params: list[object] = [match_expression(query, any_token=any_token)]
        if required:
            sql += REQUIRED_SQL.format(marks=", ".join(["%s"] * len(required)), n=len(required))
            params += required
        sql += " ORDER BY f.rowid LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, POOL])
            ranked = sorted(((row[0], max(row[1], 0.0)) for row in cursor.fetchall()), key=lambda r: (-r[1], r[0]))
        return ranked[:cap]

    def snippets(self, query: TextQuery, article_ids: list[int]) -> dict[int, str]:
        """snippet() over a per-connection FTS5 table holding only the returned page.

        On the main index, snippet() with MATCH walks every matching document (and re-expands prefix terms)
        before the rowid filter applies: 50-150 ms for common words at 100k articles. The page's 20 documents
        tokenize in about a millisecond, and snippet() gives the same fragments (it only looks at the document).
        """
        if not article_ids or not query.tokens:
            return {}
        marks = ", ".join(["%s"] * len(article_ids))
        with connection.cursor() as cursor:
            cursor.execute(PAGE_TABLE_SQL)
            cursor.execute("DELETE FROM temp.kb_search_page")
            # OR REPLACE: a connection shared between threads (Django's live test server on an in-memory database)
            # may run two searches' DELETE and INSERT interleaved; a stale row is replaced instead of a 500.
            cursor.execute(
                "INSERT OR REPLACE INTO temp.kb_search_page(rowid, title, symptoms, causes, body) "  # noqa: S608
                "SELECT article_id, title, symptoms, causes, body FROM kb_searchdocument "
                f"WHERE article_id IN ({marks})",
                article_ids,
            )
            cursor.execute(
                "SELECT rowid, snippet(kb_search_page, -1, char(1), char(2), '…', 24) FROM temp.kb_search_page "
                "WHERE kb_search_page MATCH %s",
                [match_expression(query, any_token=True)],
            )
            return dict(cursor.fetchall())

    def expression(self, query: TextQuery, *, any_token: bool) -> str:
        return match_expression(query, any_token=any_token)

    def count_matching(self, expressions: list[str], cap: int) -> list[int]:
        part = "SELECT %s, count(*) FROM (SELECT rowid FROM kb_search_fts WHERE kb_search_fts MATCH %s LIMIT %s)"
        params: list[object] = []
        for i, expression in enumerate(expressions):
            params += [i, expression, cap]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join([part] * len(expressions)), params)
            return [count for _, count in sorted(cursor.fetchall())]

    def similar_stems(self, stem: str) -> list[tuple[str, str]]:
        trigrams = {stem[i : i + 3] for i in range(len(stem) - 2)}
        if not trigrams:
            return []
        expression = " OR ".join(f'"{t}"' for t in sorted(trigrams))
        sql = (
            "SELECT t.stem, t.word FROM kb_searchterm_fts f JOIN kb_searchterm t ON t.id = f.rowid "
            "WHERE kb_searchterm_fts MATCH %s ORDER BY rank LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, CORRECTION_CANDIDATES])
            return cursor.fetchall()
