from django.contrib import admin
from django.http import HttpRequest

from probes.models import Probe


@admin.register(Probe)
class ProbeAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "last_seen_at", "last_address", "version", "revoked_at"]
    readonly_fields = ["key_hash", "last_seen_at", "last_address", "version", "created_at", "created_by"]
    search_fields = ["name", "site"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # probes are enrolled with a code (they need a secret only they hold)
