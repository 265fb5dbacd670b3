"""Writes made in batches (kb.buffer): view counts and API searches wait in memory, then are written together."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from kb import popularity
from kb.buffer import WriteBuffer
from kb.models import Article, SearchQueryLog
from kb.search import log

pytestmark = pytest.mark.django_db


def test_items_wait_for_the_interval_then_are_written_in_one_call(settings):
    settings.TEST_BUFFER_SECONDS = 3600
    writes = []
    buffer = WriteBuffer(writes.append, "TEST_BUFFER_SECONDS")
    buffer.add(1)
    buffer.add(2)
    assert writes == []
    buffer.flush()
    assert writes == [[1, 2]]
    buffer.flush()  # nothing kept: nothing written
    settings.TEST_BUFFER_SECONDS = 0
    buffer.add(3)
    assert writes == [[1, 2], [3]]


def test_api_searches_are_recorded_in_batches(client, guide, settings, django_assert_num_queries):
    settings.KB_SEARCH_LOG_FLUSH_SECONDS = 3600
    client.get("/api/search", {"q": "relay"})
    with django_assert_num_queries(0):  # the answer comes from the cache, the log row waits
        client.get("/api/search", {"q": "relay"})
    assert client.get("/api/search", {"q": "greylisting"}).status_code == 200
    assert not SearchQueryLog.objects.filter(source="api").exists()
    with django_assert_num_queries(1):
        log.flush()
    rows = SearchQueryLog.objects.filter(source="api").order_by("created_at", "pk")
    assert [row.query for row in rows] == ["relay", "relay", "greylisting"]
    assert rows[0].created_at <= rows[2].created_at and all(row.result_count > 0 for row in rows)


def test_a_gunicorn_worker_writes_what_it_holds_when_it_exits(client, guide, settings):
    settings.KB_SEARCH_LOG_FLUSH_SECONDS = settings.KB_VIEW_FLUSH_SECONDS = 3600
    article = Article.objects.get(number=3)
    client.get(article.get_absolute_url())
    client.get("/api/search", {"q": "milter"})
    assert Article.objects.get(pk=article.pk).views == 0
    hooks = runpy.run_path(str(Path(django_settings.BASE_DIR) / "portal" / "gunicorn.conf.py"))
    hooks["worker_exit"](server=None, worker=None)
    assert Article.objects.get(pk=article.pk).views == 1
    assert SearchQueryLog.objects.filter(source="api", query="milter").count() == 1
    popularity.flush()
