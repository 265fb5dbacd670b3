"""Behaviour that the speed work for large indexes (issue 3, 100k articles) must keep."""

import pytest
from django.db import connection

from kb.models import Article
from kb.search import search
from kb.search.index import rebuild

pytestmark = pytest.mark.django_db


def numbers(results) -> list[int]:
    return [hit.article.number for hit in results.hits]


@pytest.fixture
def small_pool(monkeypatch):
    """A ranking pool of 3 documents: the guide's common words then match more documents than the pool."""
    if connection.vendor == "postgresql":
        from kb.search import postgres as module
    else:
        from kb.search import sqlite as module
    monkeypatch.setattr(module, "POOL", 3)


def test_a_word_matching_more_than_the_pool_still_ranks_title_matches_first(guide, small_pool):
    results = search("smtp ")
    assert len(results.hits) == 3
    assert all("<mark>" in hit.snippet or "smtp" in hit.article.title.lower() for hit in results.hits)
    in_title = ["smtp" in hit.article.title.lower() for hit in results.hits]
    assert in_title == sorted(in_title, reverse=True)  # title matches before the others


def test_a_pasted_line_still_ranks_its_symptom_article_first_beyond_the_pool(guide, small_pool):
    line = "Nov 28 10:15:02 mx1 mailfilterd[31]: 4BQ1x2Z3Ab012345: Milter (fas_milter): timeout before data read"
    results = search(line)
    assert numbers(results)[0] == 7
    assert [s.text for s in results.hits[0].matched_symptoms] == ["Milter (fas_milter): timeout before data read"]


def test_a_long_noisy_paste_still_ranks_its_symptom_article_first(guide):
    noise = " ".join(f"host{i} relay server mail queue status deferred delay={i}" for i in range(40))
    results = search(f"{noise} 550 5.7.1 <bob@example.com>: Relay access denied {noise}")
    assert numbers(results)[0] == 1


def test_the_index_follows_edits_after_a_rebuild(guide):
    rebuild()
    assert numbers(search("greylisting"))[0] == 6
    article = Article.objects.get(number=2)
    article.causes.create(position=9, text="A forgotten qxzvw relay")
    assert numbers(search("qxzvw")) == [2]
    article.delete()
    assert numbers(search("qxzvw")) == []
    assert numbers(search("greylsiting"))[0] == 6  # the vocabulary's trigram index works after a rebuild


def test_a_long_paste_is_searched_by_its_rarest_words(guide):
    from kb.search import engine
    from kb.search.text import tokenize

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # PostgreSQL estimates how common words are from the planner's statistics
    words = ["mail", "smtp", "server", "exchange", "zzqxjv"]
    backend = engine()
    rarest = [token.text for token in backend.rarest(tokenize(" ".join(words) + " "), keep=2)]
    counts = {word: search(word + " ").count for word in words}
    assert counts["zzqxjv"] == 0 and "zzqxjv" not in rarest  # a word no document has does not help
    assert rarest == [w for w in words if w in rarest]  # original order
    assert sorted(counts[w] for w in rarest) == sorted(counts[w] for w in words if counts[w])[:2]
