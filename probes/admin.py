from django.contrib import admin

from probes.models import Probe


@admin.register(Probe)
class ProbeAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "last_seen_at", "last_address", "version", "revoked_at"]
    readonly_fields = ["key_hash", "last_seen_at", "last_address", "version", "created_at", "created_by"]
    search_fields = ["name", "site"]
