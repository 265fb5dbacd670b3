"""A distractor knowledge base: realistic articles on other mail topics, in the `export_kb` format.

The guide has 9 articles; a real helpdesk KB has hundreds on neighbouring problems (SPF, DKIM, TLS, quotas,
quarantine, LDAP, HA, DNSBL listings, size limits, loops, spam scores...), written with the same vocabulary
(FortiMail unit, protected domain, policy, antispam, recipient, greylist, relay, timeout) and quoting real reply
codes and log lines. `distractor_kb(count, seed)` writes such a KB deterministically: each topic below is
rendered in several deployment contexts with a seeded choice of causes, steps, CLI and symptoms, like the
variants a vendor KB accumulates. Numbers start at 1001 so the guide's articles (1-9) are never replaced.

Import with `manage.py import_kb` after `export` to a file, or directly with `kb.transfer.import_kb`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from kb.symptoms import default_pattern
from kb.transfer import FORMAT, VERSION

FIRST_NUMBER = 1001

CONTEXTS = [
    "",
    " in gateway mode",
    " in transparent mode",
    " in server mode",
    " for outgoing email",
    " for incoming email",
    " after a firmware upgrade",
    " on the HA secondary unit",
    " for one protected domain",
    " for authenticated SMTP clients",
    " behind a NAT firewall",
    " with Microsoft 365 as the mail server",
]


@dataclass
class Topic:
    slug: str
    category: str
    titles: list[str]
    summary: str
    explanation: list[str]
    causes: list[str]
    steps: list[str]
    replies: list[str] = field(default_factory=list)  # SMTP replies clients see (real wording)
    logs: list[str] = field(default_factory=list)  # log lines (real wording)
    cli: list[str] = field(default_factory=list)
    behaviours: list[str] = field(default_factory=list)


CATEGORIES = {
    "authentication": ("Sender authentication", "SPF, DKIM and DMARC results and rejections."),
    "tls": ("TLS and certificates", "STARTTLS, certificates and their renewal."),
    "mailboxes": ("Mailboxes and limits", "Quotas, message size limits, unknown users."),
    "quarantine": ("Quarantine", "System and personal quarantines, quarantine reports."),
    "directory": ("LDAP and directories", "LDAP profiles, address mapping and authentication."),
    "ha": ("High availability", "Active-passive and config-only clusters."),
    "reputation": ("Blocklists and reputation", "DNSBL listings, sender reputation, rate limits."),
    "delivery": ("Delivery and queues", "DNS, MX lookups, deferred mail, loops and timeouts."),
    "filtering": ("Content and spam filtering", "Spam scores, false positives, attachments, viruses."),
    "smtp": ("SMTP sessions", "Authentication, HELO, sender verification, session limits."),
}

TOPICS = [
    Topic(
        "spf-fail",
        "authentication",
        [
            "Email from a protected domain is rejected because the SPF check fails{ctx}",
            "SMTP clients receive the message 550 5.7.23 SPF fail{ctx}",
            "Legitimate senders fail the SPF check{ctx}",
        ],
        "The sending IP address is not listed in the SPF record of the envelope sender's domain.",
        [
            "When SPF checking is enabled in the antispam profile, the FortiMail unit looks up the TXT record of the "
            "MAIL FROM domain and compares the SMTP client IP address with its mechanisms.",
            "A hard fail (-all) is treated as spam by the default action; a soft fail (~all) only adds to the score.",
        ],
        [
            "The domain's SPF record does not include a newly added outbound relay or cloud service.",
            "Mail is forwarded by a third party, so the connecting IP is the forwarder's.",
            "The SPF record exceeds ten DNS lookups and evaluates to permerror.",
            "The FortiMail unit's own public IP address is missing from the record for outgoing email.",
            "An upstream NAT device hides the real client address.",
        ],
        [
            "Query the TXT record of the sender domain and check which mechanisms match the client IP.",
            "Add the missing relay or service with an include or ip4 mechanism.",
            "For forwarded mail, add the forwarder to the SPF bypass list or rely on ARC.",
            "Check the antispam log for the SPF result of the message.",
            "Lower the action for SPF soft fail to tag instead of reject.",
        ],
        replies=[
            "550 5.7.23 Message rejected due to: SPF fail - not authorized",
            "550 5.7.1 Sender's SPF Policy Failure",
        ],
        logs=["Received-SPF: fail (domain of sender does not designate permitted sender hosts)"],
        cli=["config antispam profile\nedit AS_inbound\nset spf-checking enable\nend"],
    ),
    Topic(
        "dkim",
        "authentication",
        [
            "DKIM signature verification fails for messages from a protected domain{ctx}",
            "Outgoing email is not DKIM signed{ctx}",
            "Receivers report dkim=fail body hash did not verify{ctx}",
        ],
        "The DKIM signature added by the sender cannot be verified by the receiving server.",
        [
            "DKIM signs a hash of selected headers and of the body with the domain's private key; the public key is "
            "published in DNS under the selector.",
            "Any change to the signed headers or body after signing breaks the signature.",
        ],
        [
            "A disclaimer or footer is appended after the message was signed.",
            "The selector's public key in DNS does not match the signing key.",
            "The DNS TXT record of the selector is split or truncated.",
            "DKIM signing is not enabled in the outgoing session profile.",
            "A content profile rewrites URLs after signing.",
        ],
        [
            "Look up the selector record (selector._domainkey.example.com) and compare the key.",
            "Generate a new key pair on the FortiMail unit and publish the public key.",
            "Enable DKIM signing for outgoing email in the session profile.",
            "Move disclaimers before signing or sign on the last hop only.",
        ],
        replies=["550 5.7.1 DKIM signature verification failed"],
        logs=['dkim=fail ("body hash did not verify")', "DKIM-Result: fail (wrong body hash)"],
        cli=["config domain-setting\nedit example.com\nset dkim-signing enable\nend"],
    ),
    Topic(
        "dmarc",
        "authentication",
        [
            "Gmail rejects email because of the domain's DMARC policy{ctx}",
            "SMTP clients receive the message 550 5.7.26 Unauthenticated email{ctx}",
            "DMARC reports show failures for a protected domain{ctx}",
        ],
        "Neither SPF nor DKIM passes in alignment with the From domain, and the domain publishes p=reject.",
        [
            "DMARC requires that SPF or DKIM passes for a domain aligned with the header From address.",
            "Receivers such as Gmail and Microsoft 365 enforce the published policy and send aggregate reports.",
        ],
        [
            "Mail is sent by a third-party service that neither signs with the domain nor is in its SPF record.",
            "The envelope sender domain differs from the From domain, so SPF is not aligned.",
            "DKIM signing is missing for outgoing email.",
            "The DMARC record was published with p=reject before all senders were authenticated.",
        ],
        [
            "Read the aggregate (rua) reports to find the failing sources.",
            "Enable DKIM signing for the domain and align the envelope sender.",
            "Start with p=none, then move to quarantine and reject.",
            "Enable DMARC checking in the antispam profile for incoming email.",
        ],
        replies=[
            "550 5.7.26 Unauthenticated email is not accepted due to domain's DMARC policy",
            "550 5.7.1 Email rejected per DMARC policy",
        ],
        cli=["config antispam profile\nedit AS_inbound\nset dmarc-status enable\nend"],
    ),
    Topic(
        "tls-cert",
        "tls",
        [
            "Email clients report an expired certificate after renewal{ctx}",
            "STARTTLS fails with certificate verify failed{ctx}",
            "The FortiMail unit still presents the old certificate{ctx}",
        ],
        "The server certificate used for SMTP, IMAP or webmail is expired, untrusted or not the renewed one.",
        [
            "The certificate selected under System > Certificate is used for SMTPS, STARTTLS and the web UI.",
            "Clients that verify certificates abort the TLS handshake when the chain is incomplete or expired.",
        ],
        [
            "The renewed certificate was imported but not selected as the default.",
            "The intermediate CA certificate is missing from the chain.",
            "The service was not restarted after the certificate files changed.",
            "The certificate's subject does not match the host name clients connect to.",
        ],
        [
            "Check the certificate presented with openssl s_client -starttls smtp -connect host:25.",
            "Import the full chain, including the intermediate CA.",
            "Select the new certificate for the services that use it.",
            "Reload the mail services after renewing.",
        ],
        replies=["454 4.7.0 TLS not available due to local problem", "530 5.7.0 Must issue a STARTTLS command first"],
        logs=[
            "SSL_accept error from unknown: -1",
            "warning: TLS library problem: sslv3 alert certificate expired",
        ],
        cli=["execute certificate local import"],
    ),
    Topic(
        "tls-policy",
        "tls",
        [
            "Outgoing email is deferred because the remote server requires TLS{ctx}",
            "TLS handshake fails with older mail servers{ctx}",
            "Enforced TLS for a partner domain breaks delivery{ctx}",
        ],
        "The TLS profile requires encryption or a minimum protocol version the peer does not offer.",
        [
            "A TLS profile can require STARTTLS and a minimum TLS version per domain or policy.",
            "If the peer offers only an older protocol or cipher, the session is closed and the message deferred.",
        ],
        [
            "The partner still offers only TLS 1.0.",
            "The TLS profile action is set to fail instead of deliver without encryption.",
            "A firewall strips the STARTTLS capability from the EHLO reply.",
        ],
        [
            "Test the peer's EHLO capabilities and offered protocols.",
            "Relax the minimum TLS version in the TLS profile for that domain.",
            "Disable SMTP inspection on the firewall that rewrites STARTTLS.",
        ],
        replies=["421 4.7.0 TLS handshake failed", "454 4.7.0 TLS not available due to local problem"],
        logs=["TLS handshake failed with mx.example.net"],
    ),
    Topic(
        "quota",
        "mailboxes",
        [
            "Senders receive mailbox full bounces{ctx}",
            "SMTP clients receive the message 552 5.2.2 Mailbox full{ctx}",
            "Mailbox quota is exceeded but mail is still accepted{ctx}",
        ],
        "The recipient's mailbox has reached its quota and the server refuses or defers new messages.",
        [
            "In server mode each email user account has a disk quota; over quota, delivery fails permanently or is "
            "deferred depending on the setting.",
        ],
        [
            "The user's mailbox quota is too small for the mail volume.",
            "Quarantined messages count toward the account's disk usage.",
            "The quota was lowered after the mailbox had grown.",
        ],
        [
            "Check the user's disk usage under User > User.",
            "Raise the quota or ask the user to delete or archive mail.",
            "Purge the personal quarantine of the account.",
        ],
        replies=["552 5.2.2 Mailbox full", "452 4.2.2 Mailbox full"],
        logs=["Quota exceeded (mailbox for user is full)"],
    ),
    Topic(
        "size-limit",
        "mailboxes",
        [
            "Large attachments are rejected{ctx}",
            "SMTP clients receive the message 552 5.3.4 Message size exceeds fixed limit{ctx}",
            "The message size limit of the session profile blocks email{ctx}",
        ],
        "The message is larger than the maximum size accepted by the FortiMail unit or a server on the path.",
        [
            "The session profile limits the message size; the protected domain and the backend server have their own "
            "limits, and the smallest one applies.",
            "Base64 encoding makes attachments about a third larger than the file.",
        ],
        [
            "The session profile's maximum message size is lower than the mail server's.",
            "The receiving server advertises a smaller SIZE in its EHLO reply.",
            "Encoding overhead pushes a message just under the limit above it.",
        ],
        [
            "Compare the limits in the session profile, the protected domain and the mail server.",
            "Raise the maximum message size in the session profile.",
            "Ask senders to share large files by link.",
        ],
        replies=["552 5.3.4 Message size exceeds fixed limit", "552 5.2.3 Message exceeds maximum size"],
        cli=["config profile session\nedit inbound\nset max-message-size 51200\nend"],
    ),
    Topic(
        "unknown-user",
        "mailboxes",
        [
            "Mail to a valid user bounces as user unknown{ctx}",
            "SMTP clients receive the message 550 5.1.1 User unknown{ctx}",
            "Recipient addresses are rejected after a mailbox migration{ctx}",
        ],
        "The recipient address does not exist on the server that is asked about it.",
        [
            "The address is looked up in the local recipient table, LDAP or the backend server; unknown recipients are "
            "rejected during the SMTP session.",
        ],
        [
            "The address is misspelled by the sender.",
            "An alias or distribution list was deleted.",
            "The mailbox was moved and the address mapping was not updated.",
        ],
        [
            "Check the exact recipient address in the bounce.",
            "Search the user or alias list for the address.",
            "Update the address map after a migration.",
        ],
        replies=["550 5.1.1 User unknown", "550 5.1.10 RecipientNotFound"],
        logs=["Recipient address rejected: User unknown in virtual mailbox table"],
    ),
    Topic(
        "quarantine-reports",
        "quarantine",
        [
            "Quarantine reports are not sent to users{ctx}",
            "Users cannot release messages from the personal quarantine{ctx}",
            "The system quarantine fills the disk{ctx}",
        ],
        "Quarantine reports or releases do not work as expected.",
        [
            "The FortiMail unit sends quarantine reports on a schedule; users release messages from a link in the "
            "report or from the webmail quarantine.",
        ],
        [
            "The report schedule is disabled for the protected domain.",
            "The release link points to a host name users cannot reach.",
            "Too many quarantine accounts were created for invalid recipients.",
            "The quarantine retention period is too long.",
        ],
        [
            "Check the quarantine report schedule and the recipients.",
            "Set the web release host name to an address users can reach.",
            "Enable automatic removal of invalid quarantine accounts.",
            "Shorten the quarantine retention period.",
        ],
        logs=["Message quarantined to system quarantine", "Quarantine report generation failed"],
        behaviours=["Antispam quarantine reports are delayed"],
    ),
    Topic(
        "ldap",
        "directory",
        [
            "LDAP queries fail and users cannot authenticate{ctx}",
            "The LDAP profile test fails with invalid credentials{ctx}",
            "Address mapping through LDAP returns no result{ctx}",
        ],
        "The FortiMail unit cannot query or bind to the LDAP server used by the profile.",
        [
            "LDAP profiles query the directory for user authentication, aliases, routing and address mapping; a "
            "failing query can reject or misroute email.",
        ],
        [
            "The bind DN or password has changed.",
            "The LDAP server requires LDAPS and the profile uses plain LDAP.",
            "The base DN or the query filter does not match the directory schema.",
            "A firewall blocks port 389 or 636.",
        ],
        [
            "Use the profile's test query with a known user.",
            "Update the bind DN and password.",
            "Switch the profile to LDAPS on port 636.",
            "Enable the LDAP cache to reduce load.",
        ],
        logs=["ldap_bind: Invalid credentials (49)", "LDAP query failed: Can't contact LDAP server"],
        cli=["config profile ldap\nedit AD\nset secure ssl\nset port 636\nend"],
    ),
    Topic(
        "ha",
        "ha",
        [
            "The HA cluster fails over repeatedly{ctx}",
            "Configuration is not synchronized to the HA secondary{ctx}",
            "Both HA units act as primary{ctx}",
        ],
        "The heartbeat between the HA members is lost or the configuration checksums differ.",
        [
            "Active-passive clusters exchange heartbeats on the HA interfaces; when the heartbeat is lost, the "
            "secondary takes over.",
            "Configuration changes on the primary are synchronized to the secondary immediately.",
        ],
        [
            "The heartbeat link is unplugged or congested.",
            "The two units run different firmware versions.",
            "The heartbeat lost threshold is too short under load.",
            "Settings were changed on the secondary unit.",
        ],
        [
            "Check the cluster status with diagnose system ha cluster-status.",
            "Add a secondary heartbeat link.",
            "Upgrade both units to the same firmware.",
            "Compare configuration checksums with diagnose system ha showcsum.",
        ],
        logs=["HA heartbeat lost", "HA secondary can't set attribute"],
        cli=["diagnose system ha cluster-status", "config system ha\nset mail-data-sync enable\nend"],
    ),
    Topic(
        "dnsbl-listed",
        "reputation",
        [
            "Outgoing email is rejected because the sending IP is on a DNSBL{ctx}",
            "The FortiMail unit's public IP address is blocklisted{ctx}",
            "Remote servers reject email with blocked using Spamhaus{ctx}",
        ],
        "The public IP address the FortiMail unit sends from is listed on a DNS blocklist used by receivers.",
        [
            "Receivers query DNSBLs such as Spamhaus ZEN with the connecting IP address and reject listed clients.",
            "Listings usually follow spam sent from a compromised account or a misconfigured relay.",
        ],
        [
            "A compromised account sent spam through the unit.",
            "The IP address belongs to a dynamic range listed in the PBL.",
            "An open relay policy let outside hosts send through the unit.",
        ],
        [
            "Look up the IP address on the DNSBL's web site.",
            "Find and stop the source of the spam, then request delisting.",
            "Send outgoing email from an address with a clean reputation.",
        ],
        replies=[
            "554 5.7.1 Service unavailable; Client host blocked using zen.spamhaus.org",
            "550 5.7.606 Access denied, banned sending IP",
        ],
    ),
    Topic(
        "dnsbl-config",
        "reputation",
        [
            "DNSBL checks reject legitimate senders{ctx}",
            "DNSBL queries return errors for every client{ctx}",
            "Configure DNSBL and SURBL servers in the antispam profile{ctx}",
        ],
        "The DNSBL settings of the antispam profile block too much or fail to answer.",
        [
            "DNSBL and SURBL checks query public lists; some lists refuse queries from public resolvers and answer "
            "every query with a listing code.",
        ],
        [
            "The DNS server forwards to a public resolver the list refuses.",
            "An aggressive list is used with a reject action.",
            "The list's query limit for free use is exceeded.",
        ],
        [
            "Query the list directly and look at the return code.",
            "Use a local resolver instead of a public forwarder.",
            "Change the action of the aggressive list to tag.",
        ],
        logs=["DNSBL lookup of 203.0.113.5 timed out", "query refused by dnsbl, open resolver"],
        cli=["config antispam profile\nedit AS_inbound\nset dnsbl enable\nend"],
    ),
    Topic(
        "rate-limit",
        "reputation",
        [
            "Remote servers rate limit email from the FortiMail unit{ctx}",
            "SMTP clients receive 421 too many connections{ctx}",
            "Session limits reject bulk senders{ctx}",
        ],
        "Connections or messages per time exceed the limits set by the receiver or by the session profile.",
        [
            "Session profiles limit connections and messages per client; receivers such as Microsoft 365 throttle by "
            "IP reputation.",
        ],
        [
            "A newsletter is sent to many recipients at once.",
            "The session profile allows too few connections per client.",
            "The sending IP has a low reputation at the receiver.",
        ],
        [
            "Spread bulk sending over time.",
            "Raise the connection limits for trusted internal servers.",
            "Check the receiver's postmaster pages for throttling.",
        ],
        replies=[
            "421 4.7.0 Too many connections",
            "451 4.7.650 The mail server has been temporarily rate limited due to IP reputation",
        ],
        cli=["config profile session\nedit outbound\nset conn-concurrent 50\nend"],
    ),
    Topic(
        "mx-dns",
        "delivery",
        [
            "Email is deferred because the MX lookup fails{ctx}",
            "Delivery fails with Host or domain name not found{ctx}",
            "The DNS server of the FortiMail unit is unreachable{ctx}",
        ],
        "The FortiMail unit cannot resolve the destination domain's MX or A records.",
        [
            "Delivery needs the MX records of the recipient domain; a failing resolver defers all outgoing email.",
        ],
        [
            "The configured DNS servers do not answer.",
            "The destination domain has no MX record and its A record is missing.",
            "A firewall blocks DNS over UDP and TCP port 53.",
        ],
        [
            "Run execute nslookup for the destination domain's MX.",
            "Configure reachable primary and secondary DNS servers.",
            "Check the domain's records from an outside resolver.",
        ],
        logs=[
            "Host or domain name not found. Name service error for name=example.com type=MX: Host not found, try again",
        ],
        replies=["451 4.4.0 DNS temporary failure"],
        cli=["execute nslookup name example.com type mx"],
    ),
    Topic(
        "deferred-queue",
        "delivery",
        [
            "Email is stuck in the deferred queue{ctx}",
            "Outgoing messages are delayed for hours{ctx}",
            "The mail queue grows and delivery stops{ctx}",
        ],
        "Messages wait in the deferred queue because the next hop refuses or does not answer.",
        [
            "The FortiMail unit retries deferred messages at the configured interval and sends a delay DSN after the "
            "warning time.",
        ],
        [
            "The destination server refuses connections on port 25.",
            "The relay host requires authentication.",
            "An outbound firewall rule blocks port 25.",
        ],
        [
            "Look at the reason of the deferred messages under Monitor > Mail Queue.",
            "Telnet to port 25 of the destination.",
            "Resend the queue after fixing the cause.",
        ],
        logs=[
            "status=deferred (connect to mx.example.net[203.0.113.7]:25: Connection timed out)",
            "status=deferred (connect to mx.example.net[203.0.113.7]:25: Connection refused)",
        ],
        cli=["config system mailserver\nset queue-retry 15\nend"],
    ),
    Topic(
        "mail-loop",
        "delivery",
        [
            "Messages bounce with mail forwarding loop{ctx}",
            "SMTP clients receive the message 554 5.4.6 Too many hops{ctx}",
            "A mail routing loop between the FortiMail unit and the mail server{ctx}",
        ],
        "Messages travel between two servers until the hop count limit is reached.",
        [
            "Each server adds a Received header; when the count passes the limit the message is bounced as a loop.",
        ],
        [
            "The protected domain's SMTP server points back to the FortiMail unit.",
            "The mail server's smart host is the FortiMail unit and the FortiMail unit relays to the MX.",
            "An alias forwards to an address that forwards back.",
        ],
        [
            "Check the Received headers of the bounce.",
            "Point the protected domain at the real mail server.",
            "Remove the circular forwarding rule.",
        ],
        replies=["554 5.4.6 Too many hops", "554 5.4.0 Hop count exceeded - possible mail loop"],
        logs=["mail forwarding loop for user@example.com"],
    ),
    Topic(
        "false-positive",
        "filtering",
        [
            "Legitimate email is detected as spam{ctx}",
            "Newsletters are quarantined by the antispam profile{ctx}",
            "Messages are blocked with classifier policy match{ctx}",
        ],
        "An antispam scan classifies wanted email as spam.",
        [
            "The history log shows the classifier that took the action: FortiGuard, heuristic, Bayesian, DNSBL, "
            "banned word or policy match.",
        ],
        [
            "The heuristic threshold is too low.",
            "The Bayesian database was trained with wrong samples.",
            "A banned word matches ordinary business text.",
            "Apply default action without scan upon policy match is enabled.",
        ],
        [
            "Find the classifier in the history log.",
            "Raise the heuristic threshold.",
            "Reset and retrain the Bayesian database.",
            "Submit the message to FortiGuard as a false positive.",
        ],
        replies=["550 5.7.1 Message rejected as spam"],
        logs=["X-Spam-Status: Yes, score=7.2 required=5.0"],
    ),
    Topic(
        "virus",
        "filtering",
        [
            "Messages are rejected because a virus was found{ctx}",
            "Password-protected archives are blocked by the antivirus profile{ctx}",
            "Antivirus scanning times out on large attachments{ctx}",
        ],
        "The antivirus profile detects or cannot scan an attachment.",
        [
            "The antivirus profile scans attachments with the FortiGuard engine; encrypted archives cannot be scanned "
            "and are treated by the configured action.",
        ],
        [
            "The attachment really contains malware.",
            "The archive is encrypted and the action for unscannable content is reject.",
            "The FortiGuard antivirus definitions are out of date.",
        ],
        [
            "Check the antivirus log for the virus name.",
            "Change the action for encrypted archives.",
            "Update the antivirus definitions.",
        ],
        replies=["554 5.7.1 Virus found", "550 5.7.0 Message contains a virus"],
    ),
    Topic(
        "attachments",
        "filtering",
        [
            "Attachments of a certain type are removed{ctx}",
            "SMTP clients receive illegal attachment rejections{ctx}",
            "The content profile blocks Office documents with macros{ctx}",
        ],
        "The content profile's attachment filter matches the file type or name.",
        [
            "Content profiles filter attachments by file type, extension and macro content.",
        ],
        [
            "The file type is in the blocked list.",
            "Macro-enabled documents are removed by the content disarm option.",
            "The file name contains a double extension.",
        ],
        [
            "Check the content log for the matched rule.",
            "Adjust the attachment type list.",
            "Exempt trusted senders with a separate recipient policy.",
        ],
        replies=["552 5.7.0 Our system detected an illegal attachment on your message"],
    ),
    Topic(
        "smtp-auth",
        "smtp",
        [
            "SMTP clients cannot authenticate{ctx}",
            "SMTP clients receive the message 535 5.7.8 authentication failed{ctx}",
            "Scanners and printers fail to send through the FortiMail unit{ctx}",
        ],
        "SMTP authentication is refused for the client's user name and password.",
        [
            "SMTP AUTH is checked against the authentication profile (SMTP, IMAP, POP3, RADIUS or LDAP) of the "
            "matching policy.",
        ],
        [
            "The authentication profile points at a server that is down.",
            "The client uses a mechanism the profile does not offer.",
            "The client sends AUTH before STARTTLS and plain authentication requires TLS.",
        ],
        [
            "Test the credentials against the authentication server.",
            "Enable STARTTLS on the client.",
            "Use an IP-based policy for devices that cannot authenticate.",
        ],
        replies=["535 5.7.8 Error: authentication failed", "530 5.7.0 Authentication required"],
    ),
    Topic(
        "helo-rdns",
        "smtp",
        [
            "Clients are rejected because their host name cannot be found{ctx}",
            "SMTP clients receive the message 504 5.5.2 Helo command rejected{ctx}",
            "Reverse DNS checks reject legitimate servers{ctx}",
        ],
        "The session profile rejects clients without matching reverse DNS or with an invalid HELO name.",
        [
            "Session profiles can reject clients whose IP has no PTR record or whose HELO name is not a fully "
            "qualified domain name.",
        ],
        [
            "The sender's IP address has no PTR record.",
            "The client announces a bare host name in HELO.",
            "The PTR and A records do not match.",
        ],
        [
            "Look up the PTR record of the client IP.",
            "Ask the sender to fix reverse DNS.",
            "Disable the strict HELO check for trusted networks.",
        ],
        replies=[
            "450 4.7.1 Client host rejected: cannot find your hostname",
            "504 5.5.2 Helo command rejected: need fully-qualified hostname",
        ],
    ),
    Topic(
        "sender-verify",
        "smtp",
        [
            "Sender address verification rejects valid senders{ctx}",
            "SMTP clients receive the message 450 4.1.8 Sender address rejected: Domain not found{ctx}",
            "Sender verification callouts time out{ctx}",
        ],
        "The sender's domain or address cannot be verified, so the message is refused.",
        [
            "Sender verification checks that the MAIL FROM domain resolves and can receive bounces.",
        ],
        [
            "The sender's domain has no MX or A record.",
            "The sender's server refuses the verification callout.",
            "The local DNS server fails to resolve the sender domain.",
        ],
        [
            "Resolve the sender domain's MX record.",
            "Exempt the sender from verification.",
            "Fix the local DNS resolver.",
        ],
        replies=["450 4.1.8 Sender address rejected: Domain not found", "550 5.1.0 Sender verify failed"],
    ),
    Topic(
        "o365-connector",
        "delivery",
        [
            "Microsoft 365 rejects email relayed by the FortiMail unit{ctx}",
            "SMTP clients receive the message 550 5.7.64 TenantAttribution{ctx}",
            "The inbound connector in Exchange Online does not accept the FortiMail unit{ctx}",
        ],
        "Exchange Online cannot attribute the message to the tenant because no connector matches.",
        [
            "When Microsoft 365 receives mail from a gateway, an inbound connector must identify it by IP address or "
            "certificate; otherwise relaying to other domains is refused.",
        ],
        [
            "The connector lists an old public IP address of the gateway.",
            "The connector requires a certificate subject the gateway does not present.",
        ],
        [
            "Check the connector's IP addresses and certificate settings.",
            "Validate the connector from the Exchange admin center.",
        ],
        replies=["550 5.7.64 TenantAttribution; Relay Access Denied SMTP"],
    ),
    Topic(
        "exchange-backpressure",
        "delivery",
        [
            "The Exchange server defers email with insufficient system resources{ctx}",
            "SMTP clients receive the message 452 4.3.1 Insufficient system resources{ctx}",
        ],
        "Exchange back pressure refuses new messages when disk space or memory is low.",
        [
            "Exchange monitors the queue database disk and memory and rejects new connections above thresholds.",
        ],
        [
            "The disk holding the queue database is almost full.",
            "Transaction logs are not truncated because backups fail.",
        ],
        [
            "Free disk space on the transport server.",
            "Check the event log for back pressure events.",
        ],
        replies=["452 4.3.1 Insufficient system resources"],
    ),
    Topic(
        "greylist-exempt",
        "filtering",
        [
            "Manually exempting senders from greylisting{ctx}",
            "Greylisting delays email from cloud senders with many IP addresses{ctx}",
        ],
        "Senders that retry from another address of a large pool are greylisted again at every attempt.",
        [
            "The greylist triplet includes the client IP rounded to a /24; senders such as Microsoft 365 retry from "
            "different networks, so each retry is a new triplet.",
        ],
        [
            "The sender retries from a different network each time.",
            "The greylist exempt list does not include the sender's domain.",
        ],
        [
            "Add the sender's domain to the greylist exempt list.",
            "Shorten the greylisting period.",
        ],
        behaviours=["Email from large providers arrives hours late"],
        cli=["config antispam greylist exempt\nedit 1\nset sender-pattern *@example.com\nend"],
    ),
    Topic(
        "fortiguard-update",
        "filtering",
        [
            "FortiGuard antispam and antivirus updates fail{ctx}",
            "The FortiGuard license shows as unreachable{ctx}",
        ],
        "The FortiMail unit cannot reach the FortiGuard Distribution Network for updates or queries.",
        [
            "Updates use HTTPS to the FortiGuard servers; antispam queries use UDP or HTTPS depending on the "
            "configured port.",
        ],
        [
            "An upstream firewall blocks the update port.",
            "The DNS server cannot resolve the FortiGuard host names.",
            "The system time is wrong and TLS validation fails.",
        ],
        [
            "Run the FortiGuard connectivity test.",
            "Allow the update ports on the upstream firewall.",
            "Synchronize the system time with NTP.",
        ],
        logs=["FortiGuard antispam service unreachable", "Update failed: could not connect to FortiGuard"],
        cli=["diagnose debug application updated 255", "execute update now"],
    ),
    Topic(
        "disk-queue",
        "delivery",
        [
            "The FortiMail unit refuses email because the disk is full{ctx}",
            "SMTP clients receive the message 452 4.3.1 Insufficient system storage{ctx}",
        ],
        "The mail data or log disk is full, so new messages are deferred.",
        [
            "Quarantines, archives and logs share the disk; when it fills up, the unit stops accepting email.",
        ],
        [
            "The email archive has no size limit.",
            "Logs are kept locally for too long.",
        ],
        [
            "Check disk usage on the dashboard.",
            "Move archives to a remote storage.",
            "Lower the log retention.",
        ],
        replies=["452 4.3.1 Insufficient system storage"],
    ),
]


def max_distractors() -> int:
    """How many distinct articles the topics can give (each title template in each context)."""
    return len(CONTEXTS) * sum(len(topic.titles) for topic in TOPICS)


def distractor_kb(count: int = 320, seed: int = 1) -> dict[str, Any]:
    """`count` distractor articles (numbers from FIRST_NUMBER) in the `export_kb` format; the same for a seed."""
    if not 0 <= count <= max_distractors():
        raise ValueError(f"Between 0 and {max_distractors()} distractor articles.")
    rng = random.Random(seed)
    variants = [(topic, context) for context in CONTEXTS for topic in TOPICS]
    symptoms: dict[str, dict[str, str]] = {}
    articles = []
    seen_titles: set[str] = set()
    index = 0
    while len(articles) < count:
        topic, context = variants[index % len(variants)]
        title_template = topic.titles[(index // len(variants)) % len(topic.titles)]
        title = title_template.format(ctx=context)
        index += 1
        if title in seen_titles:
            continue
        seen_titles.add(title)
        articles.append(_article(FIRST_NUMBER + len(articles), title, topic, rng, symptoms))
    return {
        "format": FORMAT,
        "version": VERSION,
        "categories": [
            {"slug": f"x-{slug}", "name": name, "description": description, "position": 100 + i}
            for i, (slug, (name, description)) in enumerate(CATEGORIES.items())
        ],
        "symptoms": list(symptoms.values()),
        "articles": articles,
    }


def _article(number: int, title: str, topic: Topic, rng: random.Random, symptoms: dict) -> dict[str, Any]:
    linked = []
    candidates = [("smtp_reply", t) for t in topic.replies] + [("log_message", t) for t in topic.logs]
    candidates += [("behaviour", t) for t in topic.behaviours]
    for kind, text in rng.sample(candidates, min(len(candidates), rng.randint(1, 2))):
        symptoms.setdefault(text, {"text": text, "kind": kind, "pattern": default_pattern(kind, text)})
        linked.append(text)
    causes = rng.sample(topic.causes, rng.randint(min(2, len(topic.causes)), len(topic.causes)))
    steps = []
    for text in rng.sample(topic.steps, rng.randint(min(2, len(topic.steps)), len(topic.steps))):
        cli = [{"text": rng.choice(topic.cli), "variants": []}] if topic.cli and rng.random() < 0.3 else []
        steps.append({"text": text, "alternative": False, "parent": None, "cli": cli})
    return {
        "number": number,
        "slug": f"x-{topic.slug}-{number}",
        "title": title,
        "summary": topic.summary,
        "explanation": "\n".join(topic.explanation),
        "steps_title": "To solve this problem",
        "closing_note": "",
        "suggested_checks": [],
        "guide_key": None,
        "imported_fingerprint": "",
        "category": f"x-{topic.category}",
        "symptoms": sorted(set(linked)),
        "related": [],
        "causes": causes,
        "steps": steps,
    }
