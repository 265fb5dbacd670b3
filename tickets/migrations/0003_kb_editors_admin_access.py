"""KB editors see the search analytics and the edit history, and are staff by being in the group."""

from django.db import migrations


def update_groups(apps, schema_editor):
    from tickets.roles import KB_EDITORS, ensure_groups

    ensure_groups(apps)
    User = apps.get_model("auth", "User")
    User.objects.filter(groups__name=KB_EDITORS, is_staff=False).update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_roles"),
        ("kb", "0005_search_log_created_at"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
