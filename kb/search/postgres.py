"""PostgreSQL engine: a weighted tsvector generated column with a GIN index (`kb_searchdocument.search_vector`),
ts_rank over a bounded candidate set, ts_headline for the returned page only; misspellings through pg_trgm
similarity on the vocabulary (`kb_searchterm.stem`, GIN trigram index)."""

from __future__ import annotations

from django.db import connection

from kb.search.engine import CORRECTION_CANDIDATES, Engine, TextQuery

CONFIG = "english"
POOL = 1000  # matching documents ranked per query (only common terms on large indexes have more)
REQUIRED_SQL = (
    " AND d.article_id IN (SELECT article_id FROM kb_article_symptoms WHERE symptom_id = ANY(%s)"
    " GROUP BY article_id HAVING count(DISTINCT symptom_id) = %s)"
)
HEADLINE_OPTIONS = 'StartSel=\x01, StopSel=\x02, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'


def tsquery_text(query: TextQuery, *, any_token: bool) -> str:
    """A to_tsquery() string built only from sanitised tokens (letters, digits, dots, spaces), each quoted."""
    parts = []
    for token in query.tokens:
        alternatives = [f"'{token.text}'" + (":*" if token.prefix else "")]
        if token.text in query.corrections:
            alternatives.append(f"'{query.corrections[token.text]}'")
        alternatives += [f"'{synonym}'" for synonym in token.synonyms]  # a quoted phrase: 'lower' <-> 'priority'
        parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")")
    return (" | " if any_token else " & ").join(parts)


class PostgresEngine(Engine):
    IDS_SQL = "article_id = ANY(%s)"

    def ids_param(self, ids: list[int]) -> object:
        return ids

    def rank(self, query: TextQuery, required: list[int], cap: int, *, any_token: bool) -> list[tuple[int, float]]:
        # ts_rank weights are {D, C, B, A}: body, causes, symptoms, title.
        weights = "{" + ", ".join(str(w / self.WEIGHTS[0]) for w in reversed(self.WEIGHTS)) + "}"
        # The pool is the first POOL matches the scan meets, in storage order (article id order after a rebuild;
        # synchronised scans are off in portal/settings.py so that scans start at the beginning),
        # not ORDER BY article_id: sorting needs every match read first, and when the planner underestimates an
        # AND of correlated words (`fortimail & unit`: 1,750 guessed, 13,000 real) that is a bitmap heap scan
        # over all of them (80-150 ms at 100k articles); unsorted, any plan stops after POOL rows (5-15 ms).
        # The tsquery is a constant, not a CTE, so the planner can use the tsvector statistics: a sequential
        # scan for common words, the GIN index for rare ones.
        tsquery = tsquery_text(query, any_token=any_token)
        where = "d.search_vector @@ to_tsquery(%s::regconfig, %s)"
        params: list[object] = [CONFIG, tsquery]
        if required:
            where += REQUIRED_SQL
            params += [required, len(required)]
        score_sql, idfs, queries = self._score(query, tsquery, any_token=any_token)
        # Each ranking tsquery is parsed once, in a one-row subquery, not planned and folded per ts_rank call.
        parsed = ", ".join(f"to_tsquery(%s::regconfig, %s) AS q{i}" for i in range(len(queries)))
        sql = (
            f"SELECT pool.article_id, {score_sql} AS score FROM (SELECT d.article_id, d.search_vector "  # noqa: S608
            f"FROM kb_searchdocument d WHERE {where} LIMIT %s) pool, (SELECT %s::float4[] AS w, {parsed}) q "
            "ORDER BY score DESC, pool.article_id LIMIT %s"
        )
        params = [*idfs, *params, POOL, weights, *[p for text in queries for p in (CONFIG, text)], cap]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def _score(self, query: TextQuery, tsquery: str, *, any_token: bool) -> tuple[str, list[float], list[str]]:
        """The pool's rank expression over the weights `q.w` and tsqueries `q.q0`, `q.q1`..., its parameters (idf
        weights) and the tsqueries' texts. ts_rank has no inverse document frequency: for an OR of words (a pasted
        line) it ranks documents full of common words (mail, server) first, and the best candidates rescored in
        Python would differ from FTS5's bm25 ones. So an OR of several words is ranked as the sum of each word's
        ts_rank times its BM25 idf (exact counts, cached: `Engine.frequencies`), as bm25 weighs them."""
        if not any_token or len(query.tokens) < 2:
            return "ts_rank(q.w, pool.search_vector, q.q0) * 10", [], [tsquery]
        from kb.search.relevance import idf

        counts, documents = self.frequencies(query.tokens, query.corrections)
        parts = [f"ts_rank(q.w, pool.search_vector, q.q{i}) * %s" for i in range(len(query.tokens))]
        idfs = [idf(counts.get(token, 0), documents) for token in query.tokens]
        texts = [tsquery_text(TextQuery([token], query.corrections), any_token=False) for token in query.tokens]
        return "(" + " + ".join(parts) + ") * 10", idfs, texts

    def snippets(self, query: TextQuery, article_ids: list[int]) -> dict[int, str]:
        if not article_ids or not query.tokens:
            return {}
        sql = (
            "SELECT article_id, ts_headline(%s::regconfig, concat_ws(E'\\n', symptoms, causes, body), "
            "to_tsquery(%s::regconfig, %s), %s) FROM kb_searchdocument WHERE article_id = ANY(%s)"
        )
        params = [CONFIG, CONFIG, tsquery_text(query, any_token=True), HEADLINE_OPTIONS, article_ids]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return dict(cursor.fetchall())

    def expression(self, query: TextQuery, *, any_token: bool) -> str:
        return tsquery_text(query, any_token=any_token)

    def count_matching(self, expressions: list[str], cap: int) -> list[int]:
        part = (
            "(SELECT count(*) FROM (SELECT 1 FROM kb_searchdocument "
            "WHERE search_vector @@ to_tsquery(%s::regconfig, %s) LIMIT %s) m)"
        )
        params: list[object] = []
        for expression in expressions:
            params += [CONFIG, expression, cap]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([part] * len(expressions)), params)
            return list(cursor.fetchone())

    def similar_stems(self, stem: str) -> list[tuple[str, str]]:
        sql = "SELECT stem, word FROM kb_searchterm WHERE stem %% %s ORDER BY similarity(stem, %s) DESC, stem LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [stem, stem, CORRECTION_CANDIDATES])
            return cursor.fetchall()
