"""Home, category and article pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import Article, Category

pytestmark = pytest.mark.django_db


def test_home_shows_search_box_categories_and_lists(client, guide, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="search"' in html and 'name="q"' in html
    for category in Category.objects.all():
        assert category.name in html
    assert "Most viewed" in html and "Recently updated" in html
    assert "KB-0001" in html


def test_article_page_queries_do_not_grow_with_steps(client, guide):
    article = Article.objects.get(number=8)  # has a CLI block with a variant
    with CaptureQueriesContext(connection) as before:
        response = client.get(article.get_absolute_url())
    for position in range(3, 8):
        step = article.steps.create(position=position, text=f"Extra step {position}")
        block = step.cli_blocks.create(text="config system global\nend")
        block.variants.create(min_firmware="7.4.1", text="config system global\nnext\nend")
        article.symptoms.create(text=f"Extra symptom {position}", kind="behaviour")
        article.causes.create(position=position, text=f"Extra cause {position}")
    with CaptureQueriesContext(connection) as after:
        response = client.get(article.get_absolute_url())
    assert len(after) == len(before) <= 14
    html = response.content.decode()
    assert "KB-0008" in html and "set uri-redirect-lookup disable" in html and "Extra step 7" in html
    assert html.count('<li class="step') == 7


def test_article_page_shows_symptoms_causes_cli_and_related(client, guide):
    html = client.get(Article.objects.get(number=8).get_absolute_url()).content.decode()
    assert "Milter (mailfilterd): timeout before data read, where=eom" in html
    assert "set uri-redirect-lookup disable" in html
    assert 'data-copy="cli-' in html
    assert 'name="firmware"' in html
    assert "Related articles" in html and "KB-0007" in html
    assert "Last updated" in html


def test_article_without_variants_has_no_firmware_picker(client, guide):
    html = client.get(Article.objects.get(number=9).get_absolute_url()).content.decode()
    assert 'name="firmware"' not in html


def test_article_view_is_counted(client, guide):
    article = Article.objects.get(number=2)
    client.get(article.get_absolute_url())
    client.get(article.get_absolute_url())
    article.refresh_from_db()
    assert article.views == 2


def test_kb_number_and_wrong_slug_redirect_to_the_article(client, guide):
    article = Article.objects.get(number=6)
    assert client.get("/kb/6/").url == article.get_absolute_url()
    assert client.get("/kb/6/wrong-slug/").url == article.get_absolute_url()


def test_firmware_choice_is_remembered_in_the_session(client, guide):
    article = Article.objects.get(number=8)
    response = client.post(f"{article.get_absolute_url()}firmware/", {"firmware": "7.2.7"})
    assert response.status_code == 302
    html = client.get(article.get_absolute_url()).content.decode()
    assert "set url-redirect-lookup disable" in html
    assert "set uri-redirect-lookup disable" not in html


def test_firmware_picker_answers_htmx_with_the_steps_partial(client, guide):
    article = Article.objects.get(number=8)
    response = client.post(
        f"{article.get_absolute_url()}firmware/", {"firmware": "7.2.7"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="steps"')
    assert "set url-redirect-lookup disable" in html
    assert "<html" not in html


def test_unknown_firmware_is_a_400(client, guide):
    article = Article.objects.get(number=8)
    response = client.post(f"{article.get_absolute_url()}firmware/", {"firmware": "<script>"})
    assert response.status_code == 400


def test_category_page_lists_its_articles(client, guide):
    category = Category.objects.get(name="Scanning bypass")
    html = client.get(category.get_absolute_url()).content.decode()
    assert all(f"KB-000{n}" in html for n in (2, 3, 4))
    assert "KB-0001" not in html


def test_missing_pages_use_the_site_404(client, guide):
    response = client.get("/kb/999/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert client.get("/kb/category/nope/").status_code == 404


def test_views_are_buffered_then_written_in_one_update(client, guide, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kb import popularity

    settings.KB_VIEW_FLUSH_SECONDS = 3600
    popularity.flush()
    article = Article.objects.get(number=3)
    for _ in range(3):
        client.get(article.get_absolute_url())
    article.refresh_from_db()
    assert article.views == 0
    with CaptureQueriesContext(connection) as queries:
        popularity.flush()
    assert [q["sql"].split()[0] for q in queries if "SAVEPOINT" not in q["sql"]] == ["UPDATE"]  # in a transaction
    article.refresh_from_db()
    assert article.views == 3


def test_home_points_to_the_symptom_selector(client, guide):
    assert 'href="/symptoms/"' in client.get("/").content.decode()


def test_every_labelled_section_names_a_heading_on_the_page(client, guide):
    for article in Article.objects.all():  # KB-0001 has no steps: its empty steps section names no heading
        html = client.get(article.get_absolute_url()).content.decode()
        for label in re.findall(r'aria-labelledby="([^"]+)"', html):
            assert f'id="{label}"' in html, (article.kb_number, label)
