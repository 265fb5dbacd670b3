"""Reply codes in real bounce texts and log lines (sources in the comments), and what must not be taken for one."""

import pytest

from kb.replycodes import find_codes
from kb.status_registry import registry


def codes(text):
    return [c.code for c in find_codes(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Postfix smtpd reject, quoted at support.onlydomains.com "Common Email Bounce Back Messages"
        (
            "NOQUEUE: reject: RCPT from[]: 550 5.1.1 <>: Recipient address rejected: User unknown in virtual "
            "mailbox table; from=<> to=<> proto=ESMTP helo=<>",
            ["550 5.1.1"],
        ),
        # the same page: a hosting provider's bounce with the reply quoted after a label
        ("[Default] 450-'4.7.25 Client host rejected: cannot find your hostname, []'", ["450 4.7.25"]),
        # Bobcares article "554 5.7.1 : Relay access denied" (copied at oshibaetsya.ru/postfix-oshibka-554)
        ("554 5.7.1 : Relay access denied", ["554 5.7.1"]),
        # antionline.com forum question (showthread.php?p=692064): a reply quoted after "the message"
        (
            'When i send to "rcpt to:" command the server sends back the message "554 <"the recipients email addy '
            'here">: Recipient address rejected: Relay access denied". What causes this and how do i fix it?',
            ["554"],
        ),
        # antionline.com forum question: a basic code alone at the start of a reply
        ('554 <"the recipients email addy here">: Recipient address rejected: Relay access denied', ["554"]),
        # support.veeva.com "What Does code 550 mean in the Event_Msg_vod field": Gmail's DMARC rejection
        (
            "|code:550|reason:hardfail|description:5.7.26 Unauthenticated email from xxx.com is not accepted due "
            "to domain's\n5.7.26 DMARC policy. Please contact the administrator of xxx.com domain\n5.7.26 if this "
            "was a legitimate mail.",
            ["550 5.7.26"],
        ),
        # protocolcodes.com "550 Mailbox Not Found": an SMTP server log line
        ("SMTP server log: `RCPT TO:<someone@example.com> 550 No such user here`", ["550"]),
        # qmail's bounce wording, e.g. "Sorry, no mailbox here by that name. (#5.1.1)"
        ("Sorry, no mailbox here by that name. (#5.1.1)", ["5.1.1"]),
        # Exchange NDR wording (Microsoft's "Fix NDR error 550 5.7.54")
        ("Remote Server returned '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain'", ["550 5.7.54"]),
        # Gmail multi-line reply: continuation lines repeat the same code
        (
            "550-5.7.1 [203.0.113.5] Our system has detected that this message is\n550-5.7.1 likely unsolicited "
            "mail. To reduce the amount of spam sent to Gmail,\n550 5.7.1 this message has been blocked.",
            ["550 5.7.1"],
        ),
        # Postfix delivery log line: dsn= and the remote reply are one code
        (
            "Nov 28 10:15:02 mx1 postfix/smtp[2231]: 4BQ1x2Z3Ab: to=<a@example.com>, relay=mx.example.com"
            "[198.51.100.7]:25, delay=451, delays=0.1/0/0.2/0.1, dsn=5.1.1, status=bounced (host mx.example.com"
            "[198.51.100.7] said: 550 5.1.1 <a@example.com>: Recipient address rejected: User unknown in local "
            "recipient table (in reply to RCPT TO command))",
            ["550 5.1.1"],
        ),
        # Exim bounce: the reply after "host name [ip]:"
        (
            "SMTP error from remote mail server after RCPT TO:<a@example.com>:\n    host mx.example.com "
            "[198.51.100.7]: 550 Unrouteable address",
            ["550"],
        ),
        ("550 #5.1.0 Address rejected", ["550 5.1.0"]),
        ("451 Try again later", ["451"]),
        ("5.7.54", ["5.7.54"]),
        ("why do I get 554 when sending", ["554"]),
        # github.com issue title in the search evaluation set (t104): a reply in parentheses
        ("Mail not bouncing on missing user (451 Temporary failure)", ["451"]),
    ],
)
def test_codes_found_in_real_texts(text, expected):
    assert codes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "upgraded FortiMail 5.4.1 to 6.0.2 build 0123",
        "version 5.2.0 and v5.4.1",
        "DNS 4.2.2.2 and 192.168.5.1, [5.7.1.2]",
        "port 587, size=25000 bytes, message of 250 KB",
        "2024-11-28 10:15:02 and 28.11.2024",
        "retry in 450 seconds; delay=451.2",
        "we have 550 users and 421 mailboxes",
        "a message (552 bytes) sent (250 ms)",
        "postfix 3.5.1 and 5.4.1-beta",
        "see RFC 5321 section 4.2.1, RFC 3463 §3.3 and §2.2.1, RFC 5321, 4.5.3 and step 2.1.1",
    ],
)
def test_no_false_codes(text):
    assert codes(text) == []


def test_class_subject_detail_and_registry_words():
    (code,) = find_codes("454 4.7.1 <bob@example.com>: Relay access denied")
    assert (code.basic, code.enhanced, code.klass, code.subject, code.detail) == (454, "4.7.1", 4, 7, 1)
    assert code.transient and not code.permanent and not code.conflict
    assert code.summary == "Delivery not authorized, message refused"
    assert code.description.startswith("The sender is not authorized to send to the destination.")
    assert code.subject_summary == "Security or Policy Status"


def test_unregistered_detail_falls_back_to_the_subject():
    (code,) = find_codes("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain")
    assert code.entry is None
    assert code.summary.startswith("Security or Policy Status")
    assert code.description.startswith("The security or policy status codes report failures")


def test_basic_code_alone_uses_rfc_5321_and_basic_class_wins():
    (code,) = find_codes("421 Service not available")
    assert code.klass == 4 and code.enhanced is None
    assert code.description.startswith("Service not available, closing transmission channel")
    (mixed,) = find_codes("550 4.2.2 mailbox full")
    assert mixed.klass == 5 and mixed.conflict


def test_registry_data_file_says_where_it_came_from():
    reg = registry()
    assert reg.source.startswith("https://www.iana.org/assignments/smtp-enhanced-status-codes/")
    assert set(reg.classes) == {2, 4, 5} and set(reg.subjects) == set(range(8))
    assert reg.code(1, 1).summary == "Bad destination mailbox address"
    assert reg.code(7, 26).summary == "Multiple authentication checks failed"
