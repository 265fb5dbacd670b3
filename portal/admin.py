from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from portal import mail
from portal.models import AuditEvent, OutgoingMail


class SuperusersOnly(admin.ModelAdmin):
    """Read-only, superusers only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(SuperusersOnly):
    list_display = ["created_at", "kind", "count", "username", "ip_address", "path", "detail", "last_seen_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["username", "ip_address", "source", "path", "detail"]
    date_hierarchy = "created_at"


@admin.register(OutgoingMail)
class OutgoingMailAdmin(SuperusersOnly):
    """What the portal sent, is still trying to send (with the last error) and gave up on. The text is not shown
    (a password-reset link is a credential) and is dropped once sent."""

    list_display = ["created_at", "to", "subject", "status", "attempts", "last_error", "next_attempt_at", "sent_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["to", "subject", "last_error"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "to",
        "from_email",
        "subject",
        "status",
        "attempts",
        "last_error",
        "last_failed_at",
        "next_attempt_at",
        "sent_at",
    ]
    actions = ["send_now"]

    @admin.action(description="Send the selected messages now (not those already sent)")
    def send_now(self, request: HttpRequest, queryset: QuerySet[OutgoingMail]) -> None:
        queued = mail.send_now(list(queryset))
        self.message_user(request, f"{queued} message(s) queued for sending.", messages.SUCCESS)
