"""The three user groups with their permissions (see tickets/roles.py)."""

from django.db import migrations


def create_groups(apps, schema_editor):
    from tickets.roles import ensure_groups

    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("kb", "0001_initial"),
        ("diagnostics", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
