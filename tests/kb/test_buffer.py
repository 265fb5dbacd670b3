"""Writes made in batches (kb.buffer): view counts and API searches wait in memory, then are written together."""

import time

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from kb import buffer as write_buffers
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


def test_a_gunicorn_worker_writes_what_it_holds_when_it_exits(client, guide, settings, gunicorn_conf):
    settings.KB_SEARCH_LOG_FLUSH_SECONDS = settings.KB_VIEW_FLUSH_SECONDS = 3600
    article = Article.objects.get(number=3)
    client.get(article.get_absolute_url())
    client.get("/api/search", {"q": "milter"})
    assert Article.objects.get(pk=article.pk).views == 0
    gunicorn_conf["worker_exit"](server=None, worker=None)
    assert Article.objects.get(pk=article.pk).views == 1
    assert SearchQueryLog.objects.filter(source="api", query="milter").count() == 1
    popularity.flush()


def test_a_write_that_finds_the_database_down_keeps_its_items_for_the_next_one(settings, caplog):
    settings.TEST_BUFFER_SECONDS = 3600
    writes = []
    database_up = False

    def write(items: list[int]) -> None:
        if not database_up:
            raise OperationalError("connection refused")
        writes.append(items)

    buffer = WriteBuffer(write, "TEST_BUFFER_SECONDS")
    buffer.add(1)
    buffer.add(2)
    buffer.flush()  # a warning, not an error: the request that happened to write goes on
    assert writes == []
    buffer.add(3)
    database_up = True
    buffer.flush()
    assert writes == [[1, 2, 3]]
    assert "2 buffered writes kept" in caplog.text


def test_a_write_that_fails_for_another_reason_drops_its_items(settings):
    settings.TEST_BUFFER_SECONDS = 3600
    calls = []

    def write(items: list[int]) -> None:
        calls.append(items)
        raise ValueError("a bug, not an outage: retrying would fail forever")

    buffer = WriteBuffer(write, "TEST_BUFFER_SECONDS")
    buffer.add(1)
    with pytest.raises(ValueError, match="a bug"):
        buffer.flush()
    buffer.flush()  # nothing kept
    assert calls == [[1]]


@pytest.mark.django_db(transaction=True)
def test_in_a_gunicorn_worker_a_background_thread_writes_and_requests_do_not(client, guide, monkeypatch, gunicorn_conf):
    """`post_worker_init` starts the thread; from then on no request writes, even when a write is due."""
    monkeypatch.setattr(write_buffers, "FLUSHER_TICK", 0.05)
    article = Article.objects.get(number=3)
    client.get("/api/search", {"q": "relay"})  # the answer is cached before the thread starts
    gunicorn_conf["post_worker_init"](worker=None)
    with CaptureQueriesContext(connection) as queries:  # the interval (0 s in tests) has passed every time
        client.get("/api/search", {"q": "relay"})
        client.get(article.get_absolute_url())
    assert not [q["sql"] for q in queries if "INSERT" in q["sql"] or "UPDATE" in q["sql"]]
    deadline = time.monotonic() + 10
    while SearchQueryLog.objects.filter(source="api").count() < 2 or not Article.objects.get(pk=article.pk).views:
        assert time.monotonic() < deadline, "the background thread wrote nothing"
        time.sleep(0.05)
    gunicorn_conf["worker_exit"](server=None, worker=None)
    assert write_buffers._flusher is None  # stopped when the worker exits
    assert Article.objects.get(pk=article.pk).views == 1
