from django.contrib import admin

from tickets.models import ArticleLink, AttachedRun, Deflection, Event, Ticket


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "body", "data", "created_at"]

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


class ArticleLinkInline(EventInline):
    model = ArticleLink
    readonly_fields = ["article", "kb_number", "title", "note", "linked_by", "created_at"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "priority", "requester", "assignee", "domain", "updated_at"]
    list_filter = ["status", "priority"]
    search_fields = ["title", "description"]
    raw_id_fields = ["requester", "assignee"]
    inlines = [ArticleLinkInline, EventInline]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False  # tickets change on the ticket page, where every change leaves a timeline entry


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ["kb_number", "user", "created_at"]
    readonly_fields = ["user", "article", "kb_number", "symptoms", "created_at"]


admin.site.register(AttachedRun)
