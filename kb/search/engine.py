"""What the two engines share: the parsed text query, spelling corrections, the engine interface."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection

from kb.models import SearchDocument, SearchTerm
from kb.search.index import DOCUMENTS
from kb.search.text import Token, edit_distance, light_stem

CANDIDATE_CAP = 1000  # ranked candidates per search: bounds ranking, counting and facets on large indexes
MIN_CORRECTABLE = 4  # shorter words are not corrected
CORRECTION_CANDIDATES = 30  # vocabulary entries sharing trigrams with a misspelled word, checked by edit distance
PASTED_TOKENS = 8  # a long paste is searched with its rarest words (the symptom matcher reads all of it)
COUNTS_CACHE_SECONDS = 600
FREQUENCY_CAP = 200  # documents counted per query word for its weight: commoner words all weigh the least


@dataclass
class TextQuery:
    tokens: list[Token]
    corrections: dict[str, str] = field(default_factory=dict)  # token text -> a vocabulary word
    any_token: bool = False  # OR instead of AND
    pasted: bool = False  # a long paste (more than SHORT_QUERY_TOKENS tokens), searched by its rarest words


class Engine:
    """Vendor-specific full-text search over `SearchDocument` (title, symptoms, causes, body)."""

    # Column weights: title > symptoms > causes > steps and CLI text.
    WEIGHTS = (10.0, 5.0, 2.5, 1.0)

    def rank(self, query: TextQuery, required: list[int], cap: int, *, any_token: bool) -> list[tuple[int, float]]:
        """(article id, relevance >= 0), best first, at most `cap`; only articles having all `required` symptoms."""
        raise NotImplementedError

    def snippets(self, query: TextQuery, article_ids: list[int]) -> dict[int, str]:
        """article id -> a fragment of its document with \\x01/\\x02 around matched words (returned page only)."""
        raise NotImplementedError

    IDS_SQL = "article_id IN (SELECT value FROM json_each(%s))"  # a JSON list parameter (PostgreSQL: an array)

    def ids_param(self, ids: list[int]) -> object:
        return json.dumps(ids)

    def facets(self, article_ids: list[int] | None) -> dict[int, int]:
        """symptom id -> number of these articles (None: all articles) having it."""
        sql = "SELECT symptom_id, count(*) FROM kb_article_symptoms"
        params: list[object] = []
        if article_ids is not None:
            if not article_ids:
                return {}
            sql += " WHERE " + self.IDS_SQL
            params.append(self.ids_param(article_ids))
        with connection.cursor() as cursor:
            cursor.execute(sql + " GROUP BY symptom_id", params)
            return dict(cursor.fetchall())

    def similar_stems(self, stem: str) -> list[tuple[str, str]]:
        """(stem, word) vocabulary entries sharing trigrams with `stem`, most similar first (index-backed)."""
        raise NotImplementedError

    def expression(self, query: TextQuery, *, any_token: bool) -> str:
        """The engine's query text (FTS5 MATCH or to_tsquery) for these tokens."""
        raise NotImplementedError

    def count_matching(self, expressions: list[str], cap: int) -> list[int]:
        """For each engine query text, how many documents match it (exact up to `cap`, then `cap`)."""
        raise NotImplementedError

    def frequencies(self, tokens: list[Token], corrections: dict[str, str]) -> tuple[dict[Token, int], int]:
        """(token -> documents containing it or one of its alternatives, up to FREQUENCY_CAP; documents in all).

        Exact counts up to the cap, the same on both engines, kept in Django's cache for COUNTS_CACHE_SECONDS under
        the search documents' generation (any document change renews it, so counts never outlive the articles).
        """
        generation = DOCUMENTS.current()
        expressions = {t: self.expression(TextQuery([t], corrections), any_token=False) for t in tokens}
        keys = {t: f"kb:search:df:{connection.vendor}:{generation}:{_digest(e)}" for t, e in expressions.items()}
        total_key = f"kb:search:documents:{connection.vendor}:{generation}"
        cached = cache.get_many([*keys.values(), total_key])
        missing = [t for t in tokens if keys[t] not in cached]
        if missing:
            counts = self.count_matching([expressions[t] for t in missing], FREQUENCY_CAP)
            fresh = {keys[t]: n for t, n in zip(missing, counts, strict=True)}
            cache.set_many(fresh, COUNTS_CACHE_SECONDS)
            cached.update(fresh)
        if total_key not in cached:
            cached[total_key] = SearchDocument.objects.count()
            cache.set(total_key, cached[total_key], COUNTS_CACHE_SECONDS)
        return {t: cached[keys[t]] for t in tokens}, cached[total_key]

    def rarest(self, tokens: list[Token], keep: int = PASTED_TOKENS) -> list[Token]:
        """The `keep` tokens found in the fewest documents (but in some), in their original order.

        An OR over every word of a pasted log ranks by the common ones too (mail, server, relay: tens of
        thousands of documents each at 100k articles); the rare words are what identifies the problem. The counts
        are `frequencies()`: exact up to FREQUENCY_CAP and the same on both engines, so both search a paste by
        the same words (ties: earlier words first).
        """
        if len(tokens) <= keep:
            return tokens
        counts, _ = self.frequencies(tokens, {})
        present = [t for t in tokens if counts.get(t, 0) > 0] or tokens
        chosen = set(sorted(present, key=lambda t: counts.get(t, 0))[:keep])  # stable: earlier wins ties
        return [t for t in tokens if t in chosen]

    def corrections(self, tokens: list[Token]) -> dict[str, str]:
        """Misspelled words (not in the vocabulary) -> the closest vocabulary word within edit distance 1-2."""
        words = {t.text: light_stem(t.text) for t in tokens if not t.code and t.text.isalpha()}
        words = {w: s for w, s in words.items() if len(s) >= MIN_CORRECTABLE}
        if not words:
            return {}
        known = set(SearchTerm.objects.filter(stem__in=set(words.values())).values_list("stem", flat=True))
        result = {}
        for word, stem in words.items():
            if stem in known:
                continue
            limit = 1 if len(stem) < 7 else 2
            scored = [
                (edit_distance(stem, candidate, limit), candidate, candidate_word)
                for candidate, candidate_word in self.similar_stems(stem)
            ]
            scored = [entry for entry in scored if entry[0] <= limit]
            if scored:
                result[word] = min(scored)[2]
        return result


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
