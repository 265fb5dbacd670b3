"""Search analytics in the admin: top queries, queries with no results, results never opened."""

import pytest

from kb.models import Article, SearchQueryLog

pytestmark = pytest.mark.django_db


def test_admin_shows_top_no_result_and_never_opened_queries(admin_client, guide):
    article = Article.objects.get(number=6)
    for _ in range(3):
        SearchQueryLog.objects.create(query="greylisting", result_count=1, opened_article=article)
    SearchQueryLog.objects.create(query="dkim signature", result_count=0)
    SearchQueryLog.objects.create(query="bypassed", result_count=3)
    response = admin_client.get("/admin/kb/searchquerylog/")
    html = response.content.decode()
    assert response.status_code == 200
    top = html.index("Top queries")
    no_results = html.index("Queries with no results")
    never = html.index("Queries whose results were never opened")
    assert top < html.index("<td>greylisting</td><td>3</td><td>3</td>") < no_results
    assert no_results < html.index("<td>dkim signature</td><td>1</td>", no_results) < never
    assert html.index("<td>bypassed</td><td>1</td><td>3</td>", never) > never
    assert "<td>greylisting</td>" not in html[never : html.index("</table>", never)]


def test_admin_outcome_filter(admin_client, guide):
    SearchQueryLog.objects.create(query="dkim signature", result_count=0)
    SearchQueryLog.objects.create(query="bypassed", result_count=3)
    html = admin_client.get("/admin/kb/searchquerylog/", {"outcome": "no_results"}).content.decode()
    assert 'class="field-query">dkim signature' in html or ">dkim signature</" in html
    assert ">bypassed</" not in html.split("result_list")[-1]


def test_search_log_is_read_only_in_the_admin(admin_client, guide):
    assert admin_client.get("/admin/kb/searchquerylog/add/").status_code == 403
