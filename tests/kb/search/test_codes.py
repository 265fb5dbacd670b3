"""Reply codes as ranking evidence (kb/search/codes.py): compared by class, subject and detail, with the reason
their wording states; through the search service on the guide."""

import pytest

from kb.replycodes import find_codes
from kb.search import search
from kb.search.codes import Code, answers_reasons, contradicts, from_reply, from_word, similarity

RELAY = Code(550, (5, 7, 1))


def test_same_code_matches_fully():
    assert similarity(RELAY, (550,), ((5, 7, 1),)) == 1.0
    assert similarity(from_word("451"), (451,), ()) == 1.0


def test_other_class_same_subject_and_detail_nearly_matches():
    assert similarity(Code(454, (4, 7, 1)), (550,), ((5, 7, 1),)) == pytest.approx(0.72)


def test_same_subject_other_detail_matches_partly():
    assert similarity(Code(550, (5, 7, 54)), (), ((5, 7, 1),)) == 0.5


def test_basic_codes_of_the_same_category_match_partly():
    assert similarity(from_word("554"), (550,), ()) == 0.5
    assert similarity(from_word("454"), (550,), ()) == 0.35
    assert similarity(from_word("421"), (550,), ()) == 0.0


def test_another_subject_does_not_match_and_contradicts():
    mailbox_full = Code(552, (5, 2, 2))
    assert similarity(mailbox_full, (), ((5, 7, 1),)) == 0.0
    assert contradicts(mailbox_full, {(5, 7, 1)})
    assert not contradicts(mailbox_full, set())  # an article without enhanced codes says nothing against it
    assert not contradicts(Code(554, (5, 7, 1)), {(5, 7, 1), (4, 2, 0)})


def test_wording_states_the_reason():
    text = "host mx.example.org[192.0.2.1] said: 554 5.7.1 <a@example.org>: Relay access denied"
    (code,) = [from_reply(c, text) for c in find_codes(text)]
    assert code.reasons == {"relay"} and code.words == ("554", "5.7.1")
    assert answers_reasons(code, " relay access deni ") and not answers_reasons(code, " spam ")
    unknown = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in virtual mailbox table"
    (code,) = [from_reply(c, unknown) for c in find_codes(unknown)]
    assert code.reasons == {"unknown recipient"}
    assert answers_reasons(code, " mail to nonexistent recipient ") and answers_reasons(code, " user unknown ")
    assert not answers_reasons(code, " an unknown sender or an exist entri ")
    spam = "550 5.7.1 Service unavailable; client [192.0.2.9] blocked using zen.spamhaus.org"
    assert [from_reply(c, spam) for c in find_codes(spam)][0].reasons == {"blocklist"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "552 5.2.2 <bob@example.org>: Mailbox full",
        "550 5.7.1 Service unavailable; client [192.0.2.9] blocked using zen.spamhaus.org",
        "550 5.7.1 Message rejected as spam by Content Filtering.",
        "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy",
        "452 4.2.2 Over quota",
    ],
)
def test_codes_of_other_failures_give_no_strong_result(guide, text):
    assert [hit.article.number for hit in search(text).hits if hit.relevance == "strong"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "454 4.7.1 <x@example.org>: Relay access denied",
        "553 5.7.1 <x@example.org>... Relaying denied",
        "Remote Server returned '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain'",
        "RCPT TO <tim@example.com> failed: (#5.7.1) <tim@example.com>: Relay access denied",
    ],
)
def test_relay_wording_with_other_codes_is_the_relay_article(guide, text):
    hit = search(text).hits[0]
    assert hit.article.number == 1 and hit.relevance == "strong"
