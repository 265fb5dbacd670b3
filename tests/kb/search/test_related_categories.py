"""A search with no results suggests the categories related to what was searched, else every category."""

import re

import pytest

from kb.models import Category, Symptom

pytestmark = pytest.mark.django_db

ALL = ["Relay and routing", "Scanning bypass", "Recipient verification", "Temporary failures", "FortiGuard and DNS"]


def suggested(client, **params) -> tuple[str, list[str]]:
    """(the sentence above the suggested categories, their names) on the no-results page."""
    html = client.get("/search/", params).content.decode()
    assert "No article matches" in html
    card = html[html.index('class="no-results') :]
    card = card[: card.index("</div>")]
    intro = re.search(r'<p>([^<]*)</p>\s*<ul class="chips">', card)
    names = re.findall(r'<a class="chip" href="/kb/category/[^"]+/">([^<]+)</a>', card)
    return (intro.group(1) if intro else ""), names


@pytest.mark.parametrize(
    ("query", "related"),
    [
        ("5.7.9", ["Relay and routing"]),  # same enhanced code family as 550 5.7.1 Relay access denied
        ("452", ["Recipient verification", "Temporary failures"]),  # 45x like 451 Try again later
        ("4xx", ["Temporary failures"]),  # "4xx replies, greylisting and retries."
    ],
)
def test_no_results_suggest_only_the_related_categories(client, guide, query, related):
    intro, names = suggested(client, q=query)
    assert intro == "Related categories:"
    assert sorted(names) == sorted(related)


def test_text_and_ticked_symptom_without_common_article_suggest_the_categories_of_each(client, guide):
    bypassed = Symptom.objects.get(text="The FortiMail unit is bypassed")
    intro, names = suggested(client, q="greylisting", symptom=bypassed.pk)
    assert intro == "Related categories:"
    assert sorted(names) == ["Scanning bypass", "Temporary failures"]


def test_ticked_symptoms_without_common_article_suggest_their_categories(client, guide):
    relay = Symptom.objects.get(text="550 5.7.1 Relay access denied")
    milter = Symptom.objects.get(text="Milter (mailfilterd): timeout before data read, where=eom")
    intro, names = suggested(client, symptom=[relay.pk, milter.pk])
    assert sorted(names) == ["FortiGuard and DNS", "Relay and routing"]


@pytest.mark.parametrize("query", ["qqqzzzxxx", "qqq the zzz", "999 9.9.9"])
def test_nothing_related_falls_back_to_every_category(client, guide, query):
    intro, names = suggested(client, q=query)
    assert intro == "Or browse a category:"
    assert names == ALL


def test_related_categories_are_one_query(guide, django_assert_num_queries):
    relay = Symptom.objects.get(text="550 5.7.1 Relay access denied")
    with django_assert_num_queries(1):
        names = [
            c.name
            for c in Category.objects.related(
                article_ids=[], symptom_ids=[relay.pk], codes=["452", "x"], words=["dnsbl", "a.b"]
            )
        ]
    assert names == ["Relay and routing", "Recipient verification", "Temporary failures", "FortiGuard and DNS"]
    assert not Category.objects.related().exists()
