"""The JSON API answers a repeated search from the cache until the knowledge base changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.generation import KNOWLEDGE_BASE
from kb.models import Article, SearchQueryLog, Symptom
from kb.search import answers

pytestmark = pytest.mark.django_db


def api(client, **params) -> dict:
    response = client.get("/api/search", params)
    assert response.status_code == 200
    return response.json()


def test_a_repeated_search_is_answered_from_the_cache_and_still_recorded(client, guide):
    first = api(client, q="greylisting")
    with CaptureQueriesContext(connection) as queries:
        second = api(client, q="greylisting")
    assert second == first and first["results"][0]["kb"] == "KB-0006"
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]  # only the analytics row
    assert SearchQueryLog.objects.filter(query="greylisting", source="api").count() == 2


def test_different_parameters_are_different_answers(client, guide):
    assert len(api(client, q="bypassed", limit=1)["results"]) == 1
    assert len(api(client, q="bypassed", limit=3)["results"]) == 3
    reply = Symptom.objects.get(text="451 Try again later")
    assert api(client, q="451", symptom=reply.pk)["count"] == 2


def test_a_refused_request_is_refused_even_when_an_equal_one_was_answered(client, guide):
    reply = Symptom.objects.get(text="451 Try again later")
    assert api(client, symptom=reply.pk)["count"] == 2
    response = client.get("/api/search", {"symptom": [reply.pk] * 51})
    assert response.status_code == 400 and "at most 50" in response.json()["error"]


def test_an_edited_title_is_answered_at_once(client, guide):
    api(client, q="greylisting")
    article = Article.objects.get(number=6)
    article.title = "Greylisting delays delivery: 451 Try again later"
    article.save()
    assert api(client, q="greylisting")["results"][0]["title"] == article.title


def test_a_new_cause_is_found_at_once(client, guide):
    assert api(client, q="quetzalcoatl")["count"] == 0
    Article.objects.get(number=3).causes.create(position=9, text="The Quetzalcoatl relay drops the connection.")
    assert [r["kb"] for r in api(client, q="quetzalcoatl")["results"]] == ["KB-0003"]


def test_a_new_symptom_pattern_is_matched_at_once(client, guide):
    line = "Nov 28 10:01:02 fm1 mailfilterd[812]: zorblax quota exceeded for queue 7"
    before = api(client, q=line)
    symptom = Symptom.objects.create(text="zorblax quota exceeded", kind=Symptom.Kind.LOG_MESSAGE)
    symptom.articles.add(Article.objects.get(number=9))
    after = api(client, q=line)
    assert after != before and after["results"][0]["kb"] == "KB-0009"


def test_forgetting_starts_a_new_generation_now_and_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        generation = KNOWLEDGE_BASE.current()
        answers.forget_all()
        during = KNOWLEDGE_BASE.current()
        assert during != generation
    assert KNOWLEDGE_BASE.current() not in (generation, during)
