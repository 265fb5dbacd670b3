from django.contrib import admin

from diagnostics.models import CheckResult, DiagnosticRun, DomainAdmin, ProtectedDomain


class DomainAdminInline(admin.TabularInline):
    model = DomainAdmin
    extra = 0
    raw_id_fields = ["user"]


@admin.register(ProtectedDomain)
class ProtectedDomainAdmin(admin.ModelAdmin):
    list_display = ["name", "mode", "gateway_hosts", "smtp_server", "updated_at"]
    list_filter = ["mode"]
    search_fields = ["name", "gateway_hosts", "smtp_server"]
    inlines = [DomainAdminInline]


@admin.register(DomainAdmin)
class DomainAdminAdmin(admin.ModelAdmin):
    list_display = ["user", "domain"]
    list_filter = ["domain"]
    raw_id_fields = ["user"]


class CheckResultInline(admin.TabularInline):
    model = CheckResult
    extra = 0
    can_delete = False
    fields = ["check_name", "status", "summary", "duration_ms", "articles", "tested_from"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(DiagnosticRun)
class DiagnosticRunAdmin(admin.ModelAdmin):
    list_display = ["domain", "created_at", "state", "status", "requested_by", "source"]
    list_filter = ["state", "status", "source"]
    search_fields = ["domain"]
    date_hierarchy = "created_at"
    inlines = [CheckResultInline]
    readonly_fields = [f.name for f in DiagnosticRun._meta.fields]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False
