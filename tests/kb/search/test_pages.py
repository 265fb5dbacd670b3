"""The search page, the symptom selector, result links and the htmx partials."""

import pytest

from kb.models import Article, SearchQueryLog, Symptom

pytestmark = pytest.mark.django_db


def test_search_page_shows_kb_number_title_snippet_symptoms_and_count(client, guide):
    response = client.get("/search/", {"q": "451"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "KB-0006" in html and "SMTP clients receive the message 451 Try again later." in html
    assert "<mark>451</mark>" in html
    assert 'class="result-count"' in html and "articles for “451”" in html
    assert 'class="chip chip-smtp_reply">451 Try again later</li>' in html
    assert "<html" in html


def test_htmx_request_gets_only_the_results_partial(client, guide):
    response = client.get("/search/", {"q": "greylisting"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="search-results"')
    assert "<html" not in html and "KB-0006" in html
    assert 'id="symptom-selector"' in html  # facet counts update with the results


def test_htmx_history_restore_gets_the_whole_page(client, guide):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = client.get("/search/", {"q": "greylisting"}, headers=headers).content.decode()
    assert "<html" in html and "KB-0006" in html


def test_search_box_is_wired_for_search_as_you_type(client, guide):
    html = client.get("/search/").content.decode()
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-sync="#search-form:replace"' in html and 'hx-push-url="true"' in html
    assert '<form id="search-form"' in html and 'method="get"' in html  # works without JavaScript


def test_pasted_text_shows_the_recognised_symptom(client, guide):
    html = client.get("/search/", {"q": "550 5.7.1 <bob@example.com>: Relay access denied"}).content.decode()
    assert "Recognised in your text" in html
    assert html.index("KB-0001") < html.index("KB-0005") if "KB-0005" in html else "KB-0001" in html
    assert "&lt;bob@example.com&gt;" in html  # the query is escaped, never markup


def test_no_results_page_suggests_the_selector_and_categories(client, guide):
    html = client.get("/search/", {"q": "qqqzzzxxx"}).content.decode()
    assert "No article matches" in html
    assert 'href="/symptoms/"' in html
    assert "Scanning bypass" in html and "/kb/category/" in html


@pytest.mark.parametrize(
    "params",
    [
        {"symptom": "abc"},
        {"symptom": "-1"},
        {"symptom": "1.5"},
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "x"},
        {"q": "x" * 20_001},
    ],
)
def test_bad_parameters_are_a_400_page_with_a_message(client, guide, params):
    response = client.get("/search/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="search-error"' in html and "<html" in html


def test_bad_parameters_answer_htmx_with_the_partial_and_a_400(client, guide):
    response = client.get("/search/", {"symptom": "x"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.content.decode().lstrip().startswith('<div id="search-results"')


def test_symptom_selector_groups_symptoms_by_kind_with_counts(client, guide):
    html = client.get("/symptoms/").content.decode()
    for label in ("SMTP reply clients see", "Event-log message", "Behaviour"):
        assert label in html
    symptom = Symptom.objects.get(text="451 Try again later")
    assert f'value="{symptom.pk}"' in html
    # 451 Try again later: KB-0005 and KB-0006.
    start = html.index(f'value="{symptom.pk}"')
    # the count's meaning is text for screen readers (an aria-label on a plain span may not be read)
    assert (
        '<span class="visually-hidden">, matching articles:</span> <span class="facet-count">2<'
        in html[start : start + 400]
    )


def test_ticking_symptoms_narrows_and_keeps_state_in_the_url(client, guide):
    reply = Symptom.objects.get(text="451 Try again later")
    behaviour = Symptom.objects.get(text="Recipient verification through SMTP fails")
    html = client.get("/symptoms/", {"symptom": [reply.pk]}).content.decode()
    assert "KB-0005" in html and "KB-0006" in html
    html = client.get("/symptoms/", {"symptom": [reply.pk, behaviour.pk]}).content.decode()
    assert "KB-0005" in html and "KB-0006" not in html
    assert html.count(" checked>") == 2


def test_symptoms_combine_with_a_text_query(client, guide):
    reply = Symptom.objects.get(text="451 Try again later")
    html = client.get("/search/", {"q": "greylist", "symptom": reply.pk}).content.decode()
    assert "KB-0006" in html and "KB-0005" not in html


def test_searches_are_recorded_and_opened_results_marked(client, guide):
    html = client.get("/search/", {"q": "greylisting"}).content.decode()
    log = SearchQueryLog.objects.get()
    assert (log.query, log.result_count, log.source) == ("greylisting", 1, "page")
    link = f"/search/open/{log.pk}/6/?position=1"
    assert link in html
    response = client.get(link)
    assert response.status_code == 302 and response.url == Article.objects.get(number=6).get_absolute_url()
    log.refresh_from_db()
    assert log.opened_article.number == 6 and log.opened_position == 1 and log.opened_at


def test_typing_refines_one_recorded_search(client, guide):
    for query in ("grey", "greyl", "greylisting"):
        client.get("/search/", {"q": query}, headers={"HX-Request": "true"})
    assert list(SearchQueryLog.objects.values_list("query", "source")) == [("greylisting", "typing")]


def test_open_link_with_huge_or_unknown_ids_is_a_404_not_a_500(client, guide):
    assert client.get("/search/open/99999999999999999999999/6/").status_code == 404  # no such id: no such URL
    assert client.get("/search/open/9223372036854775807/6/").status_code == 302  # a valid id nobody has
    assert client.get("/search/open/1/99999999999999999999/").status_code == 404
