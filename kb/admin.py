"""Editors curate the knowledge base here; every change is kept in the admin's History (who, what, when)."""

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.http import HttpRequest

from kb.models import Article, Category, Cause, CLIBlock, CLIVariant, Step, Symptom


class CauseInline(admin.TabularInline):
    model = Cause
    extra = 0


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["position", "text", "alternative", "parent"]
    show_change_link = True  # CLI blocks are edited on the step's own page


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["kb_number", "title", "category", "views", "updated_at"]
    list_filter = ["category", "symptoms__kind", "updated_at"]
    search_fields = ["title", "summary", "explanation", "symptoms__text", "causes__text", "steps__text"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["symptoms", "related"]
    readonly_fields = ["views", "created_at", "updated_at", "guide_key"]
    inlines = [CauseInline, StepInline]
    fieldsets = [
        (None, {"fields": ["number", "title", "slug", "category", "summary"]}),
        ("Solution", {"fields": ["explanation", "steps_title", "closing_note"]}),
        ("Links", {"fields": ["symptoms", "related", "suggested_checks"]}),
        ("History", {"fields": ["views", "guide_key", "created_at", "updated_at"]}),
    ]

    @admin.display(description="KB number", ordering="number")
    def kb_number(self, obj: Article) -> str:
        return obj.kb_number


class CLIBlockInline(admin.StackedInline):
    model = CLIBlock
    extra = 0
    show_change_link = True  # variants are edited on the block's own page


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "position"]
    list_filter = ["article__category"]
    search_fields = ["text", "article__title"]
    inlines = [CLIBlockInline]


class CLIVariantInline(admin.TabularInline):
    model = CLIVariant
    extra = 0


@admin.register(CLIBlock)
class CLIBlockAdmin(admin.ModelAdmin):
    list_display = ["__str__", "step"]
    search_fields = ["text"]
    inlines = [CLIVariantInline]


@admin.register(Symptom)
class SymptomAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "pattern"]
    list_filter = ["kind"]
    search_fields = ["text", "pattern"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(LogEntry)
class EditHistoryAdmin(admin.ModelAdmin):
    """All admin edits, newest first: who changed which object, when, and which fields."""

    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag", "change_message"]
    list_filter = ["action_flag", "content_type", "user"]
    search_fields = ["object_repr", "change_message"]
    date_hierarchy = "action_time"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LogEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: LogEntry | None = None) -> bool:
        return False
