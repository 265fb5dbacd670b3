"""Seed the synonym sets, and move generated symptom patterns to RE2 patterns that tolerate real text.

A pattern is replaced only if it is still the one the previous importer generated (an editor's pattern stays).
"""

import re

from django.db import migrations

SYNONYM_SETS = [
    ("whitelist, safelist, allowlist, allow list, safe list, white list", "Allow-list wording across vendors."),
    ("blacklist, blocklist, denylist, block list, deny list, black list", "Block-list wording across vendors."),
    (
        "backup MX, secondary MX, lower-priority MX, lower priority MX, lowest priority MX, fallback MX",
        "An MX host with a higher preference number (RFC 5321 5.1).",
    ),
    ("AV, antivirus, anti-virus, virus scan, virus scanning", ""),
    ("antispam, anti-spam, spam filter, spamfilter, spam filtering, spam scan", ""),
    ("NDR, bounce, DSN, non-delivery report, non-delivery notification, delivery status notification", "RFC 3464."),
    (
        "greylisting, graylisting, greylist, graylist, postgrey, greylistd",
        "Postgrey and greylistd: greylisting policy servers for Postfix and Exim.",
    ),
    ("temporary failure, tempfail, soft bounce, deferred, temporary error", "4xx replies (RFC 5321 4.2.1)."),
    ("permanent failure, hard bounce, permanent error", "5xx replies (RFC 5321 4.2.1)."),
    ("recipient verification, recipient validation, address verification, recipient address verification", ""),
    ("Exchange, Microsoft Exchange, MS Exchange, Exchange Server", ""),
    ("bypass, skip, omit, circumvent", ""),
]
OLD_ADDRESS_RE = re.compile(r"<[^>]*>")
OLD_REPLY_RE = re.compile(r"^([245]\d\d)(?: [245]\.\d{1,3}\.\d{1,3})? (.+)$")


def _old_words(text):
    parts = OLD_ADDRESS_RE.split(text)
    escaped = [r"\s+".join(re.escape(word) for word in part.split()) for part in parts]
    joined = r"<[^>\n]*>".join(escaped)
    return re.sub(r"(\\s\+)?(<\[\^>\\n\]\*>)(\\s\+)?", r"\\s*\2\\s*", joined)


def _old_default(kind, text):
    """What kb.symptoms.default_pattern generated before this migration."""
    if kind == "smtp_reply":
        match = OLD_REPLY_RE.match(text)
        if match:
            code, words = match.groups()
            return rf"\b{code}\b[^\n]{{0,200}}?\b{_old_words(words)}"
    if kind in ("smtp_reply", "log_message"):
        return _old_words(text)
    return ""


def forwards(apps, schema_editor):
    from kb.symptoms import default_pattern  # the current generator (RE2 syntax)

    SynonymSet = apps.get_model("kb", "SynonymSet")
    for terms, note in SYNONYM_SETS:
        SynonymSet.objects.get_or_create(terms=terms, defaults={"note": note})
    Symptom = apps.get_model("kb", "Symptom")
    for symptom in Symptom.objects.all():
        if symptom.pattern == _old_default(symptom.kind, symptom.text):
            new = default_pattern(symptom.kind, symptom.text)
            if new != symptom.pattern:
                symptom.pattern = new
                symptom.save(update_fields=["pattern"])


class Migration(migrations.Migration):
    dependencies = [("kb", "0006_search_relevance")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
