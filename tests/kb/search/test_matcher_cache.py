"""The symptom patterns are read once per process and reloaded when a symptom changes (issue 3, speed)."""

import pytest
from django.core.cache import cache

from kb.models import Article, Symptom
from kb.search import search
from kb.search.matcher import VERSION_KEY, match_symptoms

pytestmark = pytest.mark.django_db

LINE = "Nov 28 10:15:02 mx1 smtpd[1]: warning: the spool disk is full, try later"


def test_patterns_are_not_read_again_for_every_search(guide, django_assert_num_queries):
    match_symptoms(LINE)
    with django_assert_num_queries(0):
        assert match_symptoms(LINE) == []


def test_a_new_symptom_is_matched_at_once(guide):
    assert match_symptoms(LINE) == []
    symptom = Symptom.objects.create(kind="log_message", text="Spool disk full", pattern=r"spool\s+disk\s+is\s+full")
    Article.objects.get(number=9).symptoms.add(symptom)
    assert match_symptoms(LINE) == [symptom]
    assert search(LINE).hits[0].article.number == 9


def test_an_edited_pattern_is_matched_at_once(guide):
    symptom = Symptom.objects.create(kind="log_message", text="Spool disk full", pattern=r"spool\s+disk\s+is\s+full")
    assert match_symptoms(LINE) == [symptom]
    symptom.pattern = r"spool\s+disk\s+is\s+empty"
    symptom.save()
    assert match_symptoms(LINE) == []


def test_a_deleted_symptom_is_no_longer_matched(guide):
    symptom = Symptom.objects.create(kind="log_message", text="Spool disk full", pattern=r"spool\s+disk\s+is\s+full")
    assert match_symptoms(LINE) == [symptom]
    symptom.delete()
    assert match_symptoms(LINE) == []


def test_a_change_made_by_another_process_is_seen_through_the_shared_version(guide):
    symptom = Symptom.objects.create(kind="log_message", text="Spool disk full", pattern=r"spool\s+disk\s+is\s+full")
    assert match_symptoms(LINE) == [symptom]
    # Another process: a write this process sends no signal for, then that process's version bump.
    Symptom.objects.filter(pk=symptom.pk).update(pattern=r"spool\s+disk\s+is\s+empty")
    assert match_symptoms(LINE) == [symptom]  # still the cached pattern
    cache.set(VERSION_KEY, "changed elsewhere", timeout=None)
    assert match_symptoms(LINE) == []
