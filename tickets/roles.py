"""The three user groups and what each may do.

`ensure_groups()` creates them (the data migration calls it with the historical app registry; tests that
flush the database call it again). Views ask the permission helpers below, never the group names.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

HELPDESK = "helpdesk"
GATEWAY_ADMINS = "gateway-admins"
KB_EDITORS = "kb-editors"

KB_MODELS = ("category", "article", "symptom", "cause", "step", "cliblock", "clivariant")

# group -> (app_label, codename) pairs; missing permissions (an app not migrated yet) are skipped.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    HELPDESK: [
        ("tickets", "work_ticket"),
        ("tickets", "view_metrics"),
        ("tickets", "view_ticket"),
        ("tickets", "change_ticket"),
        ("tickets", "view_deflection"),
        ("diagnostics", "view_diagnosticrun"),
        ("diagnostics", "add_diagnosticrun"),
        ("diagnostics", "view_protecteddomain"),
    ],
    GATEWAY_ADMINS: [
        ("tickets", "submit_ticket"),
        ("diagnostics", "add_diagnosticrun"),
    ],
    KB_EDITORS: [
        *[("kb", f"{action}_{model}") for model in KB_MODELS for action in ("add", "change", "delete", "view")],
        ("kb", "view_searchquerylog"),  # the search analytics
        ("kb", "view_articlevote"),  # readers' "Was this helpful?" answers
        ("admin", "view_logentry"),  # the edit history
    ],
}

# Groups whose members work in the admin: joining one makes the user staff, leaving the last one ends it
# (superusers stay staff).
STAFF_GROUPS = (KB_EDITORS,)


def ensure_groups(apps=global_apps) -> None:  # noqa: ANN001 - an app registry, historical in migrations
    """Create the groups and give them their permissions (idempotent)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        if app_config.label in {"admin", "auth", "contenttypes", "kb", "tickets", "diagnostics"}:
            app_config.models_module = getattr(app_config, "models_module", None) or True
            create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)


def grant_staff(users: object) -> None:
    """Members who joined a staff group become staff."""
    for user in users:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])


def revoke_staff(users: object) -> None:
    """Members who left a staff group stop being staff, unless superusers or still in another staff group. (Only
    leaving a staff group ends staff status: a user made staff by hand keeps it through other group changes.)"""
    for user in users:
        if user.is_staff and not user.is_superuser and not user.groups.filter(name__in=STAFF_GROUPS).exists():
            user.is_staff = False
            user.save(update_fields=["is_staff"])


def is_helpdesk(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and user.has_perm("tickets.work_ticket")


def is_gateway_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and user.has_perm("tickets.submit_ticket")


def can_use_tickets(user: AbstractBaseUser | AnonymousUser) -> bool:
    return is_helpdesk(user) or is_gateway_admin(user)
