"""More search vocabulary: scanner product names in the antivirus and antispam synonym sets, Exim's "callout" for
address verification, more greylisting servers; and the behaviour pattern
of "Both antispam and antivirus scans are bypassed" accepts the plural "mails".

A set or pattern is changed only if it is still the one seeded before (an editor's version stays).
"""

from django.db import migrations

EXTENDED_SETS = [
    (
        "AV, antivirus, anti-virus, virus scan, virus scanning",
        "AV, antivirus, anti-virus, virus scan, virus scanning, virus scanner, virus filter, ClamAV, clamd",
    ),
    (
        "antispam, anti-spam, spam filter, spamfilter, spam filtering, spam scan",
        "antispam, anti-spam, spam filter, spamfilter, spam filtering, spam scan, spam scanner, SpamAssassin, rspamd",
    ),
    (
        "greylisting, graylisting, greylist, graylist, postgrey, greylistd",
        "greylisting, graylisting, greylist, graylist, postgrey, greylistd, sqlgrey, milter-greylist",
    ),
    (
        "recipient verification, recipient validation, address verification, recipient address verification",
        "recipient verification, recipient validation, address verification, recipient address verification, "
        "callout verification, recipient callout, SMTP callout",
    ),
]
BOTH_BYPASSED = "Both antispam and antivirus scans are bypassed"


def forwards(apps, schema_editor):
    from kb.symptoms import default_pattern  # the current generator

    SynonymSet = apps.get_model("kb", "SynonymSet")
    for old, new in EXTENDED_SETS:
        SynonymSet.objects.filter(terms=old).exclude(terms=new).update(terms=new)
    Symptom = apps.get_model("kb", "Symptom")
    new_pattern = default_pattern("behaviour", BOTH_BYPASSED)
    old_pattern = new_pattern.replace(r"(?:(?:e-?)?mails?|messages?)", r"(?:mail|e-?mails?|messages?)")
    for symptom in Symptom.objects.filter(text__in=[BOTH_BYPASSED, BOTH_BYPASSED + "."], pattern=old_pattern):
        symptom.pattern = new_pattern
        symptom.save(update_fields=["pattern"])


class Migration(migrations.Migration):
    dependencies = [("kb", "0008_article_votes")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
