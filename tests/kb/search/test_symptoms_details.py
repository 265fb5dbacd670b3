"""/symptoms/: no link to itself when nothing matches, options no matching article has are disabled, and the
ticks can be cleared at once."""

import re

import pytest

from kb.models import Symptom

pytestmark = pytest.mark.django_db


def no_results(html: str) -> str:
    start = html.index('class="no-results card"')
    return html[start : html.index("</div>", start)]


def test_zero_results_on_the_symptoms_page_do_not_link_to_the_page_itself(client, guide):
    html = no_results(client.get("/symptoms/", {"q": "qqqzzzxxx"}).content.decode())
    assert 'href="/symptoms/"' not in html and "symptom selector" not in html
    assert "Try fewer words" in html


def test_zero_results_with_ticks_offer_untick_clear_and_dropping_the_words(client, guide):
    greylist = Symptom.objects.get(text="451 Try again later")
    html = client.get("/symptoms/", {"q": "qqqzzzxxx", "symptom": greylist.pk}).content.decode()
    part = no_results(html)
    assert "Untick a symptom" in part
    assert 'href="/symptoms/?q=qqqzzzxxx">clear all ticks</a>' in part
    assert f'href="/symptoms/?symptom={greylist.pk}">search without your words</a>' in part
    # the search page still points to the selector, which is another page
    assert 'href="/symptoms/"' in no_results(client.get("/search/", {"q": "qqqzzzxxx"}).content.decode())


def test_options_no_matching_article_has_are_disabled_ticked_ones_never(client, guide):
    greylist = Symptom.objects.get(text="451 Try again later")
    html = client.get("/symptoms/", {"symptom": greylist.pk}).content.decode()
    boxes = dict(re.findall(r'<input type="checkbox" id="symptom-(\d+)"[^>]*?( disabled| checked)?>', html))
    assert boxes[str(greylist.pk)] == " checked"
    disabled = [pk for pk, state in boxes.items() if state == " disabled"]
    enabled = [pk for pk, state in boxes.items() if not state]
    assert disabled and enabled  # some options would empty the results, others narrow them
    for pk in disabled:
        label = html[html.rindex("<label", 0, html.index(f'id="symptom-{pk}"')) : html.index(f'id="symptom-{pk}"')]
        assert "symptom-option-empty" in label
    assert '<span class="visually-hidden">, matching articles:</span> <span class="facet-count">0</span>' in html


def test_nothing_is_disabled_before_anything_is_ticked(client, guide):
    html = client.get("/symptoms/").content.decode()
    assert 'type="checkbox"' in html and " disabled" not in html
    assert "Clear all ticks" not in html


def test_clear_all_keeps_the_words(client, guide):
    ids = list(Symptom.objects.values_list("pk", flat=True)[:1])
    html = client.get("/symptoms/", {"q": "greylist", "symptom": ids}).content.decode()
    assert '<a href="/symptoms/?q=greylist" id="clear-ticks">Clear all ticks</a>' in html
    html = client.get("/symptoms/", {"symptom": ids}).content.decode()
    assert '<a href="/symptoms/" id="clear-ticks">Clear all ticks</a>' in html
