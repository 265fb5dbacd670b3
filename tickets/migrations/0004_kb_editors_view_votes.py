"""KB editors read the readers' "Was this helpful?" answers in the admin."""

from django.db import migrations


def update_groups(apps, schema_editor):
    from tickets.roles import ensure_groups

    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_kb_editors_admin_access"),
        ("kb", "0008_article_votes"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
