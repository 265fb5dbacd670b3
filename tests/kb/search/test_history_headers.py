"""Back and Forward never show an htmx partial as a page: the search views' caching headers."""

import pytest
from django.utils.cache import has_vary_header

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
RESTORE = {"HX-History-Restore-Request": "true"}  # htmx's history restore (historyRestoreAsHxRequest false)


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/search/", "/symptoms/"])
def test_whole_page_varies_on_hx_request_and_may_be_kept_for_back(client, guide, url):
    response = client.get(url, {"q": "greylisting"})
    assert response.status_code == 200 and b"<html" in response.content
    assert has_vary_header(response, "HX-Request")
    assert not no_store(response)  # the back/forward cache may keep the whole page


@pytest.mark.parametrize("url", ["/search/", "/symptoms/"])
def test_partial_varies_on_hx_request_and_is_never_stored(client, guide, url):
    response = client.get(url, {"q": "greylisting"}, headers=HTMX)
    assert response.status_code == 200 and b"<html" not in response.content
    assert has_vary_header(response, "HX-Request")
    assert no_store(response) and "private" in response["Cache-Control"]


@pytest.mark.parametrize("url", ["/search/", "/symptoms/"])
def test_history_restore_gets_the_whole_page_with_its_query(client, guide, url):
    html = client.get(url, {"q": "greylisting"}, headers=RESTORE).content.decode()
    assert "<html" in html and 'class="site-header"' in html and 'value="greylisting"' in html and "KB-0006" in html


def test_history_restore_sent_as_htmx_request_still_gets_the_whole_page_unstored(client, guide):
    response = client.get("/search/", {"q": "greylisting"}, headers={**HTMX, **RESTORE})
    assert b"<html" in response.content and no_store(response)


def test_refused_search_partial_is_not_stored_either(client, guide):
    response = client.get("/search/", {"symptom": "x"}, headers=HTMX)
    assert response.status_code == 400
    assert has_vary_header(response, "HX-Request") and no_store(response)


def test_htmx_is_told_to_restore_without_hx_request(client, guide):
    html = client.get("/search/").content.decode()
    assert '"historyRestoreAsHxRequest": false' in html
    assert 'hx-history="false"' in html  # no snapshot: Back re-fetches the page of that URL
    assert "{#" not in html and "#}" not in html  # template comments stay comments


def test_search_pages_have_no_inline_style(client, guide):
    for response in (
        client.get("/search/", {"q": "greylisting"}),
        client.get("/search/", {"q": "greylisting"}, headers=HTMX),
        client.get("/symptoms/", {"q": "zzzz"}, headers=HTMX),
    ):
        assert b"style=" not in response.content
