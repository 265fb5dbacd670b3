"""The relevance evaluation: the shipped labelled set, the distractor KB, the metrics and the eval_search command."""

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from kb.relevance.distractors import FIRST_NUMBER, distractor_kb, max_distractors
from kb.relevance.evaluation import (
    Bm25Baseline,
    EvalSetError,
    LabelledText,
    Ranking,
    article_documents,
    engine_ranker,
    load_set,
    score,
)

SET_PATH = Path(settings.BASE_DIR) / "kb" / "data" / "search_eval.json"


def test_shipped_set_is_large_sourced_and_uses_every_article():
    texts, titles = load_set(SET_PATH)
    assert sorted(titles) == list(range(1, 10))
    assert len(texts) >= 90
    assert len({t.text for t in texts}) == len(texts)
    assert sum(not t.covered for t in texts) >= 15
    uses = Counter(n for t in texts for n in t.articles)
    assert all(uses[n] >= 5 for n in titles), uses
    assert all(t.source.startswith(("http://", "https://")) or "/" in t.source for t in texts)
    assert set(Counter(t.kind for t in texts)) == {"bounce", "log", "question", "title"}


def test_held_out_set_is_disjoint_from_the_main_set():
    texts, titles = load_set(SET_PATH)
    held_out, held_out_titles = load_set(SET_PATH.with_name("search_eval_holdout.json"))
    assert held_out_titles == titles
    assert len(held_out) >= 20 and any(not t.covered for t in held_out)
    assert not {t.text for t in held_out} & {t.text for t in texts}


def test_second_held_out_set_shares_no_text_or_source_with_the_others():
    texts, titles = load_set(SET_PATH)
    held_out, _ = load_set(SET_PATH.with_name("search_eval_holdout.json"))
    second, second_titles = load_set(SET_PATH.with_name("search_eval_holdout2.json"))
    assert second_titles == titles
    assert len(second) >= 15 and sum(not t.covered for t in second) >= 4
    assert not {t.text for t in second} & {t.text for t in [*texts, *held_out]}
    assert not {t.source for t in second} & {t.source for t in [*texts, *held_out]}


def test_malformed_sets_are_refused(tmp_path):
    with pytest.raises(EvalSetError, match="not found"):
        load_set(tmp_path / "missing.json")
    path = tmp_path / "set.json"
    path.write_text(json.dumps({"format": "other"}))
    with pytest.raises(EvalSetError, match="not a search evaluation set"):
        load_set(path)
    text = {"id": "t1", "kind": "bounce", "text": "x", "source": "https://example.com/", "articles": [12]}
    path.write_text(json.dumps({"format": "mta-portal-search-eval", "articles": {"1": "A"}, "texts": [text]}))
    with pytest.raises(EvalSetError, match="t1: an acceptable article"):
        load_set(path)


def test_scores_count_ranks_and_confident_answers_to_uncovered_texts():
    texts = [
        LabelledText("a", "bounce", "first", "s", (1,)),
        LabelledText("b", "bounce", "second", "s", (2, 3)),
        LabelledText("c", "bounce", "absent", "s", (4,)),
        LabelledText("d", "bounce", "weak only", "s", ()),
        LabelledText("e", "bounce", "strong guide", "s", ()),
        LabelledText("f", "bounce", "strong distractor", "s", ()),
    ]
    rankings = {
        "first": Ranking([1, 2], [True, True]),
        "second": Ranking([5, 6, 3], [True, True, True]),
        "absent": Ranking([], []),
        "weak only": Ranking([1], [False]),
        "strong guide": Ranking([1001, 2], [True, True]),
        "strong distractor": Ranking([1001], [True]),
    }
    scores = score(texts, rankings.__getitem__, guide_numbers={1, 2, 3, 4})
    assert (scores.covered, scores.top1, scores.top3, scores.strong_top1) == (3, 1, 2, 1)
    assert scores.mrr == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert (scores.uncovered, scores.uncovered_clean) == (3, 2)
    assert [m.text.id for m in scores.misses] == ["b", "c", "e"]
    assert scores.by_kind == {"bounce": [3, 1]}


def test_distractor_kb_is_deterministic_realistic_and_leaves_the_guide_alone(guide):
    from kb.models import Article
    from kb.transfer import import_kb

    assert len(distractor_kb(max_distractors(), seed=1)["articles"]) == max_distractors() >= 300
    with pytest.raises(ValueError, match="Between 0 and"):
        distractor_kb(max_distractors() + 1)
    large = distractor_kb(320, seed=1)
    assert large == distractor_kb(320, seed=1)
    assert large != distractor_kb(320, seed=2)
    titles = [a["title"] for a in large["articles"]]
    assert len(set(titles)) == 320
    assert {a["number"] for a in large["articles"]} == set(range(FIRST_NUMBER, FIRST_NUMBER + 320))
    assert any(s["text"].startswith("552 5.3.4") for s in large["symptoms"])

    guide_titles = dict(Article.objects.values_list("number", "title"))
    counts = import_kb(distractor_kb(25, seed=1))
    assert counts["articles"] == 25
    assert Article.objects.count() == 9 + 25
    assert dict(Article.objects.filter(number__lt=FIRST_NUMBER).values_list("number", "title")) == guide_titles


def test_engine_and_baseline_rank_the_guide(guide):
    baseline = Bm25Baseline(article_documents())
    try:
        for rank in (engine_ranker(), baseline.ranker()):
            assert rank("550 5.7.1 Relay access denied").numbers[0] == 1
            assert rank("Milter (mailfilterd): timeout before data read, where=eom").numbers[0] == 8
            assert rank("zzzz qqqq").numbers == []
        assert baseline.ranker()('"quoted" words').numbers == []  # quotes in the query are escaped, not syntax
    finally:
        baseline.close()


def test_command_refuses_a_missing_set_before_touching_any_database(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        call_command("eval_search", "--set", str(tmp_path / "nope.json"))
    with pytest.raises(CommandError, match="--limit"):
        call_command("eval_search", "--limit", "0")
    with pytest.raises(CommandError, match="--distractors must be between 0 and"):
        call_command("eval_search", "--distractors", "100000")


def test_command_measures_a_small_set_in_a_scratch_database(tmp_path, db):
    """The command as an operator runs it (a separate process): scratch database, both KB sizes, misses listed."""
    texts, titles = load_set(SET_PATH)
    small = [t for t in texts if t.id in ("t002", "t058", "t067", "t095")]
    document = json.loads(SET_PATH.read_text(encoding="utf-8"))
    document["texts"] = [item for item in document["texts"] if item["id"] in {t.id for t in small}]
    set_path = tmp_path / "small.json"
    set_path.write_text(json.dumps(document), encoding="utf-8")
    env = {**os.environ, "SECRET_KEY": "tests-only", "HTTPS": "0"}
    configured = tmp_path / "configured.sqlite3"
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{configured}"
    args = ["eval_search", "--set", str(set_path), "--distractors", "20", "--show-misses"]
    with subprocess.Popen(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert "4 texts (3 covered, 1 not covered by the guide)" in out
    rows = [(line[:26].strip(), line[27:34].strip(), line[34:].split()) for line in out.splitlines()]
    rows = [row for row in rows if row[0] in ("guide (9)", "guide + 20 distractors")]
    assert [row[:2] for row in rows] == [
        ("guide (9)", "engine"),
        ("guide (9)", "bm25"),
        ("guide + 20 distractors", "engine"),
        ("guide + 20 distractors", "bm25"),
    ]
    assert rows[0][2][:2] == ["3/3", "100.0%"]  # the three covered texts quote their article's own words
    assert rows[1][2][:2] == ["3/3", "100.0%"]
    assert "engine misses, guide (9):" in out
    if connection.vendor == "sqlite":
        with sqlite3.connect(configured) as configured_db:  # Django may open it at start-up; nothing is written
            assert configured_db.execute("SELECT name FROM sqlite_master").fetchall() == []
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE datname = %s", [f"eval_search_{process.pid}"])
            assert cursor.fetchall() == []  # the scratch database was dropped
