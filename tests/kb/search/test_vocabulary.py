"""Search vocabulary seeded by migration 0010: scanner product names, Exim's callouts, more greylisting servers,
and the plural "mails" in the behaviour pattern of unscanned mail."""

import pytest

from kb.search import search
from kb.search.matcher import match_symptoms
from kb.search.synonyms import expand
from kb.search.text import tokenize

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("word", "meaning"),
    [("clamav", "antivirus"), ("spamassassin", "antispam"), ("rspamd", "spam filter"), ("sqlgrey", "greylisting")],
)
def test_product_names_mean_what_they_do(guide, word, meaning):
    (token,) = expand(tokenize(word, typing=False))
    assert meaning in token.synonyms


def test_callouts_are_recipient_verification(guide):
    (token,) = expand(tokenize("SMTP callout", typing=False))
    assert "recipient verification" in token.synonyms
    assert search("SMTP callouts fail", limit=3).hits[0].article.number == 5


def test_plural_mails_not_scanned_is_the_both_bypassed_symptom(guide):
    assert [s.text for s in match_symptoms("My mails are not scanned at all")] == [
        "Both antispam and antivirus scans are bypassed"
    ]
