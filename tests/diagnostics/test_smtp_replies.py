# ruff: noqa: E501 - one reply a line
"""Who was refused: replies as real servers word them (Postfix, Exchange, Sendmail, Exim, qmail, Gmail),
classified by text, RFC 3463 enhanced code and the command they answer."""

import pytest

from diagnostics.checks.smtp_replies import Subject, classify

REPLIES = [
    # Postfix (postconf(5), smtpd(8)); smtpd_delay_reject=yes reports HELO, sender and client refusals at RCPT
    ("rcpt0", 504, "5.5.2 <vm>: Helo command rejected: need fully-qualified hostname", Subject.HELO),
    ("rcpt0", 554, "5.7.1 <>: Sender address rejected: Access denied", Subject.SENDER),
    ("rcpt0", 450, "4.1.8 <a@nx.example>: Sender address rejected: Domain not found", Subject.SENDER),
    ("rcpt0", 554, "5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied", Subject.CLIENT),
    ("rcpt0", 554, "5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", Subject.CLIENT),
    ("rcpt0", 450, "4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]", Subject.CLIENT),
    ("mail", 530, "5.7.0 Must issue a STARTTLS command first", Subject.TLS),
    ("rcpt0", 554, "5.7.1 <x@example.org>: Relay access denied", Subject.RELAY),
    ("rcpt0", 454, "4.7.1 <x@example.org>: Relay access denied", Subject.RELAY),
    (
        "rcpt0",
        550,
        "5.1.1 <x@pf.test>: Recipient address rejected: User unknown in local recipient table",
        Subject.RECIPIENT,
    ),
    (
        "rcpt0",
        550,
        "5.1.1 <x@pf.test>: Recipient address rejected: User unknown in virtual mailbox table",
        Subject.RECIPIENT,
    ),
    (
        "rcpt0",
        450,
        "4.1.1 <x@v.test>: Recipient address rejected: unverified address: connect to 192.0.2.9[192.0.2.9]:25: Connection refused",
        Subject.RECIPIENT,
    ),
    (
        "rcpt0",
        450,
        "4.2.0 <x@pf.test>: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/help/pf.test.html",
        Subject.GREYLIST,
    ),
    ("rcpt0", 451, "4.3.5 <x@pf.test>: Recipient address rejected: Server configuration problem", Subject.RECIPIENT),
    # Microsoft Exchange
    ("rcpt0", 550, "5.7.54 SMTP; Unable to relay recipient in non-accepted domain", Subject.RELAY),
    ("rcpt0", 550, "5.7.1 Unable to relay", Subject.RELAY),
    (
        "rcpt0",
        550,
        "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
        Subject.RECIPIENT,
    ),
    ("helo", 501, "5.5.4 Invalid domain name", Subject.HELO),
    ("mail", 530, "5.7.1 Client was not authenticated", Subject.AUTH),
    # Sendmail
    ("rcpt0", 550, "5.7.1 <x@example.org>... Relaying denied", Subject.RELAY),
    ("rcpt0", 550, "5.1.1 <x@pf.test>... User unknown", Subject.RECIPIENT),
    # Exim
    ("rcpt0", 550, "relay not permitted", Subject.RELAY),
    ("rcpt0", 550, "Unrouteable address", Subject.RECIPIENT),
    ("ehlo", 501, "Syntactically invalid EHLO argument(s)", Subject.HELO),
    ("rcpt0", 550, "Sender verify failed", Subject.SENDER),
    # Lotus Domino: "listed" here is about the recipient, not a blocklist
    ("rcpt0", 550, "5.1.1 User not listed in public Name & Address Book", Subject.RECIPIENT),
    ("rcpt0", 554, "5.7.1 Service unavailable; client [192.0.2.1] is listed by zen.spamhaus.org", Subject.CLIENT),
    # qmail
    ("rcpt0", 553, "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", Subject.RELAY),
    # RFC 4954 / Gmail
    ("mail", 530, "5.7.0 Authentication Required", Subject.AUTH),
    ("mail", 530, "5.7.0 Must issue a STARTTLS command first. x1si1234 - gsmtp", Subject.TLS),
    # enhanced code alone (RFC 3463): X.1.1 is the recipient's mailbox, X.1.8 the sender's system
    ("rcpt0", 550, "5.1.1 nope", Subject.RECIPIENT),
    ("rcpt0", 553, "5.1.8 nope", Subject.SENDER),
    ("rcpt0", 550, "5.7.25 nope", Subject.CLIENT),
    # nothing tells: an unexplained 5.7.1 at RCPT is not proof of anything
    ("rcpt0", 550, "5.7.1 Rejected", Subject.UNKNOWN),
    ("rcpt0", 550, "Denied by policy", Subject.UNKNOWN),
    # the command answered, when the text says nothing
    ("mail", 550, "Denied", Subject.SENDER),
    ("ehlo", 502, "5.5.2 Error: command not recognized", Subject.HELO),
    # the session
    ("banner", 554, "mx.example.com ESMTP not accepting messages", Subject.SESSION),
    ("rcpt0", 421, "4.7.0 mx.example.com Error: too many errors", Subject.SESSION),
    ("rcpt0", 250, "2.1.5 Ok", Subject.ACCEPTED),
]


@pytest.mark.parametrize(("step", "code", "text", "subject"), REPLIES)
def test_subject(step, code, text, subject):
    assert classify(step, code, text).subject == subject


def test_greylisting_words_in_a_permanent_reply_are_not_greylisting():
    assert classify("rcpt0", 550, "5.7.1 Greylisted for too long, giving up").subject != Subject.GREYLIST


def test_enhanced_code_and_flags():
    reply = classify("rcpt0", 504, "5.5.2 <vm>: Helo command rejected: need fully-qualified hostname")
    assert (reply.enhanced, reply.permanent, reply.refuses_probe, reply.matched) == ("5.5.2", True, True, "text")
    assert classify("rcpt0", 421, "4.3.2 bye").closing
    assert not classify("rcpt0", 550, "5.1.1 User unknown").refuses_probe
