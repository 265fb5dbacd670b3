"""The article page takes an article's rendered body from the cache until the article or the knowledge base changes.

One behaviour with the per-process cache and with the shared one: the article's row is read for every page and the
body's key holds the newest `updated_at` of the article and its related articles (`kb.content`).
"""

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kb import content, popularity
from kb.models import Article, Category, CLIVariant, Symptom
from tickets.roles import HELPDESK

pytestmark = pytest.mark.django_db


def page(client, number: int) -> str:
    return client.get(Article.objects.get(number=number).get_absolute_url()).content.decode()


@pytest.fixture(autouse=True)
def _buffered_view_counts(settings):
    settings.KB_VIEW_FLUSH_SECONDS = 3600  # no view-count UPDATE inside the measured requests
    yield
    popularity.flush()  # leave no buffered counts to the next test


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_unchanged_article_is_served_from_the_cache(client, guide):
    url = Article.objects.get(number=8).get_absolute_url()
    first = queries_for(client, url)
    # The article row (with its category and its related articles' newest change); its body (with related articles
    # and firmware versions) comes from the cache.
    assert queries_for(client, url) == 1 < first


def test_helpdesk_user_reads_a_cached_article_in_few_queries(client, guide, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # as with REDIS_URL
    user = User.objects.create_user("helen")
    user.groups.add(Group.objects.get(name=HELPDESK))
    client.force_login(user)
    url = Article.objects.get(number=6).get_absolute_url()
    client.get(url)
    # The user (Django's ModelBackend, never from the cache), the article row, and the reader's own parts (their
    # vote, their open tickets to link the article to); the session, the body and the linked-tickets block come
    # from the cache.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    tables = [query["sql"].split(" FROM ", 1)[1].split()[0] for query in queries.captured_queries]
    assert {'"auth_user"', '"kb_article"', '"kb_articlevote"'} <= set(tables)
    assert len(queries) <= 6  # + permissions (own and groups') unless the backend has them


def test_the_cache_holds_html_strings_not_model_rows(client, guide):
    page(client, 8)
    article, _ = content.article_page(8)
    _, value = cache.get(content.cache_key(article, ""))
    assert type(value) is dict and '<li class="step' in value["steps"]
    assert all(type(v) is str or all(type(i) is str for i in v) for v in value.values())


def test_a_queryset_update_that_moves_updated_at_shows_at_once_without_a_signal(client, guide):
    page(client, 8)
    Article.objects.filter(number=8).update(summary="Summary set by a bulk update", updated_at=timezone.now())
    assert "Summary set by a bulk update" in page(client, 8)
    related = Article.objects.filter(related__number=8).first()
    Article.objects.filter(pk=related.pk).update(title="Related title set in bulk", updated_at=timezone.now())
    assert "Related title set in bulk" in page(client, 8)


def test_another_process_sees_a_change_without_sharing_the_generation(client, guide):
    """As with the per-process cache: the change is made where this process's generation is not renewed."""
    page(client, 8)
    token = cache.get("kb:generation")
    step = Article.objects.get(number=8).steps.order_by("position").first()
    step.text = "Edited in another process"
    step.save()
    cache.set("kb:generation", token, None)  # this process never saw the renewal
    assert "Edited in another process" in page(client, 8)


def test_a_missing_article_is_a_404_every_time(client, guide):
    for _ in range(2):
        assert client.get("/kb/999/no-such-article/").status_code == 404


def test_an_edited_title_and_slug_show_at_once(client, guide):
    article = Article.objects.get(number=4)
    page(client, 4)
    old_url = article.get_absolute_url()
    article.title = "A renamed article"
    article.slug = "a-renamed-article"
    article.save()
    assert client.get(old_url).url == article.get_absolute_url()
    assert "A renamed article" in page(client, 4)


def test_a_changed_step_cause_symptom_and_variant_show_at_once(client, guide):
    article = Article.objects.get(number=8)
    page(client, 8)
    step = article.steps.order_by("position").first()
    step.text = "Edited step text"
    step.save()
    assert "Edited step text" in page(client, 8)

    cause = article.causes.first()
    cause.text = "Edited cause text"
    cause.save()
    assert "Edited cause text" in page(client, 8)

    symptom = article.symptoms.first()
    symptom.text = "Edited symptom wording"
    symptom.save()
    assert "Edited symptom wording" in page(client, 8)
    article.symptoms.remove(symptom)
    assert "Edited symptom wording" not in page(client, 8)

    variant = CLIVariant.objects.get(block__step__article=article)
    variant.text = "set edited-variant disable"
    variant.save()
    client.post(f"{article.get_absolute_url()}firmware/", {"firmware": variant.min_firmware})
    assert "set edited-variant disable" in page(client, 8)


def test_a_deleted_step_disappears(client, guide):
    article = Article.objects.get(number=8)
    step = article.steps.order_by("position").last()
    assert step.text in page(client, 8)
    step.delete()
    assert step.text not in page(client, 8)


def test_a_part_change_moves_last_updated(guide):
    article = Article.objects.get(number=5)
    before = article.updated_at
    article.causes.create(position=99, text="Another cause")
    article.refresh_from_db()
    assert article.updated_at > before


def test_category_and_related_titles_are_always_current(client, guide):
    page(client, 8)
    category = Category.objects.get(articles__number=8)
    category.name = "Renamed category"
    category.save()
    related = Article.objects.get(number=7)
    related.title = "Renamed related article"
    related.save()
    html = page(client, 8)
    assert "Renamed category" in html and "Renamed related article" in html


def test_related_links_added_removed_and_deleted_show_at_once(client, guide):
    article = Article.objects.get(number=8)
    other = Article.objects.get(number=2)
    assert other.kb_number not in page(client, 8)
    article.related.add(other)
    assert other.kb_number in page(client, 8)
    other.related.remove(article)  # from the other side: the relation is symmetrical
    assert other.kb_number not in page(client, 8)
    article.related.add(other)
    page(client, 8)
    other.delete()
    assert other.kb_number not in page(client, 8)


def test_a_new_symptom_linked_from_the_symptom_side_shows(client, guide):
    page(client, 3)
    symptom = Symptom.objects.create(text="Brand new symptom", kind=Symptom.Kind.BEHAVIOUR)
    symptom.articles.add(Article.objects.get(number=3))
    assert "Brand new symptom" in page(client, 3)


def test_the_cached_body_is_served_as_html_not_escaped_text(client, guide):
    page(client, 8)
    html = page(client, 8)
    assert '<li class="chip' in html and '<li class="step' in html and "<code>" in html
    assert "&lt;li" not in html and "&lt;section" not in html


def test_each_firmware_has_its_own_cached_body(client, guide):
    article = Article.objects.get(number=8)
    variant = CLIVariant.objects.get(block__step__article=article)
    assert variant.text not in page(client, 8)
    client.post(f"{article.get_absolute_url()}firmware/", {"firmware": variant.min_firmware})
    assert variant.text in page(client, 8)
    client.post(f"{article.get_absolute_url()}firmware/", {"firmware": ""})
    assert variant.text not in page(client, 8)
