"""The one search-parameter form (kb/search/forms.py) used by the search page, its htmx partial, the symptom
selector and /api/search: the same values are refused with the same message everywhere, never a 500."""

import pytest
from django.http import QueryDict

from kb.search.forms import DEFAULT_LIMIT, SearchForm

pytestmark = pytest.mark.django_db

BAD = [
    ("symptom=abc", "numeric id"),
    ("symptom=1&symptom=x", "numeric id"),
    ("symptom=-1", "numeric id"),
    ("symptom=%C2%B2", "numeric id"),  # superscript two: str.isdigit() says yes, int() refuses
    ("symptom=" + "9" * 30, "numeric id"),
    ("limit=0", "limit"),
    ("limit=101", "limit"),
    ("limit=+5", "limit"),
    ("limit=ten", "limit"),
    ("&".join(["symptom=1"] * 51), "at most 50"),
    ("q=" + "a" * 20_001, "too long"),
]


def test_good_parameters_become_search_params():
    form = SearchForm(QueryDict("q=relay%20&symptom=3&symptom=1&limit=5"))
    assert form.is_valid()
    params = form.params()
    assert (params.query, params.symptom_ids, params.limit) == ("relay ", [3, 1], 5)  # the trailing space is kept


def test_missing_parameters_are_an_empty_search():
    form = SearchForm(QueryDict(""))
    assert form.is_valid()
    params = form.params()
    assert params.empty and params.limit == DEFAULT_LIMIT


def test_control_characters_are_left_to_the_service():
    form = SearchForm(QueryDict("q=relay%00denied"))
    assert form.is_valid() and form.params().query == "relay\x00denied"


@pytest.mark.parametrize(("query", "message"), BAD)
def test_bad_values_are_form_errors(query, message):
    form = SearchForm(QueryDict(query))
    assert not form.is_valid()
    assert message in form.error_message()


@pytest.mark.parametrize(("query", "message"), BAD)
def test_page_partial_and_api_refuse_the_same_values_with_the_same_message(client, guide, query, message):
    api = client.get("/api/search?" + query)
    assert api.status_code == 400 and message in api.json()["error"]
    page = client.get("/search/?" + query)
    assert page.status_code == 400 and message in page.content.decode()
    partial = client.get("/search/?" + query, headers={"HX-Request": "true"})
    assert partial.status_code == 400 and message in partial.content.decode()
    assert partial.content.decode().lstrip().startswith('<div id="search-results"')
    selector = client.get("/symptoms/?" + query)
    assert selector.status_code == 400 and message in selector.content.decode()
