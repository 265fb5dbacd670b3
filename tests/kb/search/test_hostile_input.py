"""Any input is safe: results, an empty list or a SearchError (400), never an exception or an FTS syntax error.

Runs against the engine of the database the suite uses (SQLite FTS5, or PostgreSQL with DATABASE_URL).
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.search import SearchError, search
from kb.search.text import MAX_QUERY_CHARS

pytestmark = pytest.mark.django_db

FTS_SYNTAX = [
    '"',
    "'",
    "(",
    ")",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(",
    "*",
    "^",
    ":",
    "-",
    "+",
    "{",
    "}",
    "\\",
    "\x00",
    "title:",
    "body :",
    "&",
    "|",
    "!",
    "<->",
    ":*",
    "%",
    "_",
    "🙂",
    "ü",
    "日本",
    "5.7.1",
    "451",
    "milt",
]
hostile = st.lists(st.one_of(st.sampled_from(FTS_SYNTAX), st.text(max_size=12)), max_size=12).map(" ".join)
few = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def check(query: str, **kwargs) -> None:
    try:
        results = search(query, **kwargs)
    except SearchError as exc:
        assert str(exc)
        return
    assert results.count >= len(results.hits)
    for hit in results.hits:
        html = str(hit.snippet)
        assert "<" not in html.replace("<mark>", "").replace("</mark>", "")


@few
@given(query=hostile)
def test_fts_syntax_and_unicode_never_break_search(guide, query):
    check(query)


@few
@given(query=st.text(max_size=200))
def test_arbitrary_text_never_breaks_search(guide, query):
    check(query)


@few
@given(query=hostile, limit=st.integers(min_value=-5, max_value=150), ids=st.lists(st.integers(-5, 2**64), max_size=4))
def test_arbitrary_limits_and_symptom_ids_are_results_or_a_search_error(guide, query, limit, ids):
    check(query, limit=limit, symptom_ids=ids)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "(",
        ")",
        "AND",
        "OR NOT",
        "NEAR(a b)",
        "*",
        "^x",
        "title:x",
        "-x",
        "a\x00b",
        "",
        "   ",
        "🙂🙂",
        '"unterminated',
        "x:*",
        "!!",
        "'); DROP TABLE kb_article; --",
    ],
)
def test_known_troublemakers(guide, query):
    results = search(query)
    assert results.hits == [] or all(h.article.number for h in results.hits)


def test_ten_kilobytes_of_pasted_log_finds_the_symptom(guide):
    noise = "Nov 28 10:15:02 mx1 smtpd[2231]: 4BQ1x2Z3Ab012345: from=<a@example.org>, size=1234, nrcpt=1\n" * 100
    log = noise + "Nov 28 10:15:03 mx1 mailfilterd[31]: Milter (fas_milter): timeout before data read\n" + noise
    assert 10_000 < len(log) < MAX_QUERY_CHARS
    assert search(log).hits[0].article.number == 7


def test_over_the_cap_is_a_search_error(guide):
    with pytest.raises(SearchError, match="too long"):
        search("x" * (MAX_QUERY_CHARS + 1))


def test_the_api_answers_hostile_input_without_a_500(client, guide):
    for query in FTS_SYNTAX + ["a\x00b", "NEAR(x y, 2)", '"a" AND "b"']:
        response = client.get("/api/search", {"q": query})
        assert response.status_code in (200, 400)
