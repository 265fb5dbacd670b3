"""The bounce explainer on real bounce texts (sources in the comments): the rules, the JSON API and the page."""

import pytest

from kb.explain import explain

# Exim bounce quoted in github.com/uilicious/inboxkitten issue 82 (2025-07-18)
EXIM_RELAY = (
    "SMTP error from remote mail server after RCPT TO:<face-cake-86@inboxkitten.com>:\n"
    "    host mxa.mailgun.org [34.149.236.64]: 550 5.7.1 Relaying denied"
)
# Windows Live Mail error quoted in github.com/root-io/vmail issue 68 (2016-04-30)
TEMPORARY_RELAY = "Resposta do Servidor: 454 4.7.1 <*@cnpd.pt>: Relay access denied"
# simplefastwebsites.com "554 5.7.1 Client Host Blocked Using Spamhaus" ("What you see")
SPAMHAUS = (
    "554 5.7.1 Service unavailable; Client host [203.0.113.45] blocked using zen.spamhaus.org; "
    "https://www.spamhaus.org/query/ip/203.0.113.45"
)
# tamingdns.com "552 5.2.2: Mailbox Over Quota", real-world example of Gmail's temporary form
OVER_QUOTA = "452 4.2.2 The email account that you tried to reach is over quota"
# email-knowledge.com "5.2.2" ("What it can look like"): a DSN's per-recipient fields
DSN_MAILBOX_FULL = "Action: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full"
# support.veeva.com "What Does code 550 mean in the Event_Msg_vod field ...": Gmail's DMARC rejection
DMARC = (
    "|code:550|reason:hardfail|description:5.7.26 Unauthenticated email from xxx.com is not accepted due to "
    "domain's\n5.7.26 DMARC policy. Please contact the administrator of xxx.com domain\n5.7.26 if this was a "
    "legitimate mail. Please visit\n5.7.26 https://support.google.com/mail/answer/2451690 to learn about the\n"
    "5.7.26 DMARC initiative."
)
# Exchange Online's directory-based edge blocking, as quoted at simplefastwebsites.com "550 5.4.1 Recipient Address
# Rejected: Access Denied (Exchange Online)" ("What you see")
EXCHANGE_541 = (
    "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) "
    "[BN1NAM02FT022.eop-nam02.prod.protection.outlook.com]"
)
# MailKit protocol log quoted in github.com/jstedfast/MailKit issue 968 (2019-12-24)
MAILKIT_550 = "S: 550-Requested action not taken: mailbox unavailable\nS: 550 Failure sending mail. Try again later"
# Postfix delivery log line (status=bounced with the remote reply), as on protocolcodes.com "550 Mailbox Not Found"
POSTFIX_BOUNCED = (
    "Nov 28 10:15:02 mx1 postfix/smtp[2231]: 4BQ1x2Z3Ab: to=<a@example.com>, relay=mx.example.com[198.51.100.7]:25, "
    "dsn=5.1.1, status=bounced (host mx.example.com[198.51.100.7] said: 550 5.1.1 <a@example.com>: Recipient "
    "address rejected: User unknown in local recipient table (in reply to RCPT TO command))"
)


def only(text):
    explanation = explain(text)
    assert explanation is not None and len(explanation.codes) == 1
    return explanation.codes[0]


@pytest.mark.parametrize(
    ("text", "code", "permanent", "side"),
    [
        (EXIM_RELAY, "550 5.7.1", True, "gateway"),
        (TEMPORARY_RELAY, "454 4.7.1", False, "gateway"),
        (SPAMHAUS, "554 5.7.1", True, "sender"),
        (OVER_QUOTA, "452 4.2.2", False, "recipient_server"),
        (POSTFIX_BOUNCED, "550 5.1.1", True, "sender"),
        (MAILKIT_550, "550", True, "unclear"),
        (EXCHANGE_541, "550 5.4.1", True, "unclear"),  # not a network problem, whatever X.4 says
    ],
)
def test_side_and_permanence_of_real_bounces(text, code, permanent, side):
    item = only(text)
    assert item.code.code == code
    assert item.code.permanent is permanent
    assert item.side == side
    assert item.permanence.startswith("Permanent" if permanent else "Temporary")


# Texts below: quoted in public GitHub issues (the issue is named in each comment).
# github.com/Mailu/Mailu issue 938: Postfix's recipient verification could not get an answer (addresses replaced)
UNVERIFIED = (
    "postfix/smtpd[534]: NOQUEUE: reject: RCPT from nl3.abelssoft.de[37.120.173.251]: 450 4.1.1 <user@example.com>: "
    "Recipient address rejected: unverified address: Address lookup failure; from=<newsletter@example.de> "
    "to=<user@example.com> proto=ESMTP helo=<abelssoft.de>"
)
# github.com/MicrosoftDocs/microsoft-365-docs issue 666: Microsoft's own block list
BANNED_IP = (
    "Diagnostic-Code: smtp;550 5.7.606 Access denied, banned sending IP [xxxx]. To request removal from this list "
    "please visit https://sender.office.com/ and follow the directions."
)
# github.com/ietf-tools/datatracker issue 10296 (domain replaced)
THREAT_LIST = (
    "Outgoing emails from example.com are rejected with error 550 5.7.1 – IP 103.152.79.203 blocked by Vade Threat "
    "List (OXSUS001_101). Requesting review and delisting."
)
# github.com/jan-vince/smallcontactform issue 95: a client library's message around the server's reply
EXPECTED_250 = 'Expected response code 250 but got code "550", with message "550 5.7.1 Relaying denied'


@pytest.mark.parametrize(("text", "side"), [(BANNED_IP, "sender"), (THREAT_LIST, "sender")])
def test_blocked_sending_ips_are_the_senders_to_fix(text, side):
    assert only(text).side == side


def test_a_temporary_address_code_registered_as_permanent_only_is_unclear():
    item = only(UNVERIFIED)
    assert (item.code.code, item.code.permanent, item.side) == ("450 4.1.1", False, "unclear")
    assert "for permanent failures only" in item.why


def test_a_success_code_beside_a_failure_is_left_out():
    assert only(EXPECTED_250).code.code == "550 5.7.1"
    assert only("250 2.0.0 Ok: queued as 4BQ1x2Z3Ab").code.klass == 2  # alone, it is shown


def test_gmail_dmarc_rejection_is_on_the_senders_side():
    explanation = explain(DMARC)
    (item,) = explanation.codes  # code:550 ... description:5.7.26 on one line is one reply
    assert item.code.code == "550 5.7.26" and item.side == "sender"  # DMARC is named on the 5.7.26 lines
    assert item.code.summary == "Multiple authentication checks failed"


def test_registry_meaning_and_who_reported_it():
    explanation = explain(POSTFIX_BOUNCED)
    assert explanation.reported_by == "mx.example.com"
    item = explanation.codes[0]
    assert item.code.summary == "Bad destination mailbox address"
    assert item.side == "sender" and "recipient address is unknown" in item.why
    assert explain(EXIM_RELAY).reported_by == "mxa.mailgun.org"


def test_a_dsn_status_field_and_its_diagnostic_code_are_one_code():
    item = only(DSN_MAILBOX_FULL)
    assert item.code.code == "552 5.2.2" and item.code.summary == "Mailbox full"
    assert item.side == "recipient_server"


def test_no_code_no_explanation():
    assert explain("How do I allowlist a sender on FortiMail 7.2.4?") is None
    assert explain("") is None


# The JSON API ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_explains_an_out_of_kb_bounce_and_keeps_the_other_keys(client, guide):
    data = client.get("/api/search", {"q": OVER_QUOTA}).json()
    assert {"query", "count", "results"} <= set(data)
    assert set(data) - {"query", "count", "results"} <= {"explanation"}
    (code,) = data["explanation"]["codes"]
    assert code["code"] == "452 4.2.2" and code["basic"] == 452 and code["enhanced"] == "4.2.2"
    assert code["class"] == 4 and code["permanent"] is False and code["temporary"] is True
    assert code["meaning"] == "Mailbox full"
    assert code["description"].startswith("The mailbox is full because the user has exceeded")
    assert code["side"] == "recipient_server" and code["side_label"].startswith(
        "The receiving side: the recipient's mail server"
    )
    assert data["explanation"]["reported_by"] is None


@pytest.mark.django_db
def test_api_explains_with_matching_articles_too(client, guide):
    data = client.get("/api/search", {"q": EXIM_RELAY}).json()
    assert data["results"]  # the guide has a relay article
    (code,) = data["explanation"]["codes"]
    assert (code["code"], code["side"], code["permanent"]) == ("550 5.7.1", "gateway", True)
    assert data["explanation"]["reported_by"] == "mxa.mailgun.org"


@pytest.mark.django_db
def test_api_explanation_is_null_without_a_code(client, guide):
    assert client.get("/api/search", {"q": "greylisting"}).json()["explanation"] is None


# The search page ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_shows_the_explanation_without_javascript_and_in_the_htmx_partial(client, guide):
    page = client.get("/search/", {"q": SPAMHAUS}).content.decode()
    assert 'class="explanation card"' in page and "<html" in page
    assert "Delivery not authorized, message refused" in page
    assert "Permanent: the sending server does not retry" in page
    assert 'data-side="sender"' in page
    partial = client.get("/search/", {"q": OVER_QUOTA}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="search-results"')
    assert "What the reply code in your text means" in partial and "Mailbox full" in partial
    assert 'data-side="recipient_server"' in partial


@pytest.mark.django_db
def test_page_escapes_what_it_shows(client, guide):
    html = client.get("/search/", {"q": POSTFIX_BOUNCED + " <script>alert(1)</script>"}).content.decode()
    assert "<code>mx.example.com</code>" in html
    assert "<script>alert(1)</script>" not in html
    assert "style=" not in html.split('class="explanation card"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_page_has_no_explanation_without_a_code(client, guide):
    assert 'class="explanation' not in client.get("/search/", {"q": "greylisting"}).content.decode()
