"""Editors curate the knowledge base here; every change is kept in the admin's History (who, what, when)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse

from kb.models import (
    Article,
    ArticleVote,
    Category,
    Cause,
    CLIBlock,
    CLIVariant,
    SearchQueryLog,
    Step,
    Symptom,
    SynonymSet,
)
from kb.symptoms import PatternError, compile_pattern

MAX_SAMPLE_LINES = 50


class CauseInline(admin.TabularInline):
    model = Cause
    extra = 0


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["position", "text", "alternative", "parent"]
    show_change_link = True  # CLI blocks are edited on the step's own page


class ArticleVoteInline(admin.TabularInline):
    """Readers' "Was this helpful?" answers, read-only: they are the readers' words."""

    model = ArticleVote
    extra = 0
    fields = ["helpful", "comment", "user", "updated_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["kb_number", "title", "category", "views", "helpful_votes", "not_helpful_votes", "updated_at"]
    list_filter = ["category", "symptoms__kind", "updated_at"]
    search_fields = ["title", "summary", "explanation", "symptoms__text", "causes__text", "steps__text"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["symptoms", "related"]
    readonly_fields = ["views", "created_at", "updated_at", "guide_key"]
    inlines = [CauseInline, StepInline, ArticleVoteInline]
    fieldsets = [
        (None, {"fields": ["number", "title", "slug", "category", "summary"]}),
        ("Solution", {"fields": ["explanation", "steps_title", "closing_note"]}),
        ("Links", {"fields": ["symptoms", "related", "suggested_checks"]}),
        ("History", {"fields": ["views", "guide_key", "created_at", "updated_at"]}),
    ]

    @admin.display(description="KB number", ordering="number")
    def kb_number(self, obj: Article) -> str:
        return obj.kb_number

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                helpful_count=Count("votes", filter=Q(votes__helpful=True), distinct=True),
                not_helpful_count=Count("votes", filter=Q(votes__helpful=False), distinct=True),
            )
        )

    @admin.display(description="Helpful", ordering="helpful_count")
    def helpful_votes(self, obj: Article) -> int:
        return obj.helpful_count

    @admin.display(description="Not helpful", ordering="not_helpful_count")
    def not_helpful_votes(self, obj: Article) -> int:
        return obj.not_helpful_count


@admin.register(ArticleVote)
class ArticleVoteAdmin(admin.ModelAdmin):
    """ "Was this helpful?" answers: which articles fall short, and the readers' comments on them."""

    list_display = ["article", "helpful", "short_comment", "user", "updated_at"]
    list_filter = ["helpful", ("comment", admin.EmptyFieldListFilter), "updated_at", "article__category"]
    list_select_related = ["article", "user"]
    search_fields = ["comment", "article__title"]
    readonly_fields = ["article", "user", "helpful", "comment", "created_at", "updated_at"]
    date_hierarchy = "updated_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # votes come from readers

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Comment")
    def short_comment(self, obj: ArticleVote) -> str:
        return obj.comment[:80] + ("…" if len(obj.comment) > 80 else "")


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


class SymptomForm(forms.ModelForm):
    sample_lines = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "Optional: paste bounces or log lines, one per line, to test the pattern against them. "
            "Use \u201cSave and continue editing\u201d to see which lines it matches."
        ),
    )

    class Meta:
        model = Symptom
        fields = ["kind", "text", "pattern", "sample_lines"]

    def sample_results(self) -> list[tuple[str, bool]]:
        """(line, whether the pattern matches it) for each non-blank sample line (at most MAX_SAMPLE_LINES)."""
        lines = [line.strip() for line in self.cleaned_data.get("sample_lines", "").splitlines() if line.strip()]
        pattern = self.cleaned_data.get("pattern", "")
        if not pattern:
            return [(line, False) for line in lines[:MAX_SAMPLE_LINES]]
        try:
            compiled = compile_pattern(pattern)
        except PatternError:
            return []
        return [(line, bool(compiled.search(line))) for line in lines[:MAX_SAMPLE_LINES]]


@admin.register(Symptom)
class SymptomAdmin(admin.ModelAdmin):
    form = SymptomForm
    list_display = ["text", "kind", "pattern"]
    list_filter = ["kind"]
    search_fields = ["text", "pattern"]

    def save_model(self, request: HttpRequest, obj: Symptom, form: SymptomForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        for line, matched in form.sample_results():
            level = messages.SUCCESS if matched else messages.WARNING
            verdict = "matches" if matched else "does not match"
            self.message_user(request, f"The pattern {verdict}: {line[:200]}", level)


@admin.register(SynonymSet)
class SynonymSetAdmin(admin.ModelAdmin):
    """Words and phrases the search treats as the same, on both database engines."""

    list_display = ["terms", "note"]
    search_fields = ["terms", "note"]


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


# --- Search analytics ---------------------------------------------------------------------------

# What the KB is missing: searches that found nothing, and those whose best result was only a weak match.
CONTENT_GAP = Q(result_count=0) | Q(best_relevance="weak")


class SearchOutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("no_results", "No results"),
            ("content_gap", "No close match (content gap)"),
            ("not_opened", "Results never opened"),
            ("opened", "Result opened"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "no_results":
            return queryset.filter(result_count=0)
        if self.value() == "content_gap":
            return queryset.filter(CONTENT_GAP)
        if self.value() == "not_opened":
            return queryset.filter(result_count__gt=0, opened_article=None)
        if self.value() == "opened":
            return queryset.exclude(opened_article=None)
        return queryset


@admin.register(SearchQueryLog)
class SearchQueryLogAdmin(admin.ModelAdmin):
    """What people search for; above the list: top queries, queries without results, results never opened."""

    list_display = [
        "query",
        "result_count",
        "best_relevance",
        "opened_article",
        "opened_position",
        "source",
        "created_at",
    ]
    list_filter = [SearchOutcomeFilter, "source", "created_at"]
    search_fields = ["query"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in SearchQueryLog._meta.fields]
    change_list_template = "admin/kb/searchquerylog/change_list.html"
    TOP = 15

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SearchQueryLog | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        logs = SearchQueryLog.objects.exclude(query="")
        grouped = logs.values("query").annotate(
            searches=Count("id"), opened=Count("opened_article"), results=Max("result_count")
        )
        gaps = logs.filter(CONTENT_GAP).values("query").annotate(searches=Count("id"), results=Max("result_count"))
        extra_context = {
            **(extra_context or {}),
            "top_queries": grouped.order_by("-searches", "query")[: self.TOP],
            "content_gap_queries": gaps.order_by("-searches", "query")[: self.TOP],
            "no_result_queries": grouped.filter(results=0).order_by("-searches", "query")[: self.TOP],
            "never_opened_queries": grouped.filter(results__gt=0, opened=0).order_by("-searches", "query")[: self.TOP],
        }
        return super().changelist_view(request, extra_context)
