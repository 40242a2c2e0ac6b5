"""Curation: every record editable with search, filters, autocomplete, inlines and history."""
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from simple_history.admin import SimpleHistoryAdmin

from timeline.admin_curation import CurationSafetyMixin, SoftDeleteInlineMixin
from timeline.models import (
    Agency, Citation, Claim, Contract, Event, LifecycleTransition, Organization, Person, Program,
    Source, State, Statement,
)


class CitationInline(GenericTabularInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "locator", "note"]
    verbose_name = "citation"
    verbose_name_plural = "citations (the sources behind this record)"


class ClaimInline(SoftDeleteInlineMixin, GenericTabularInline):
    model = Claim
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["fact", "fact_label", "value", "source", "quote", "state"]
    verbose_name_plural = "claims (what each source says about a fact)"


class CuratedAdmin(CurationSafetyMixin, SimpleHistoryAdmin):
    """Shared behaviour: publication actions and read-only bookkeeping. (Slugs are fixed after
    creation by the models' validation, so that permalinks never change.) Deletion is soft and
    saves are checked against the version the curator loaded (timeline.admin_curation)."""

    readonly_fields = ["version", "created_at", "modified_at", "deleted_at"]
    list_filter = ["state"]
    actions = ["publish", "unpublish", "restore"]
    list_per_page = 50

    @admin.action(description="Publish the selected records", permissions=["change"])
    def publish(self, request, queryset):
        self._set_state(request, queryset, State.PUBLISHED)

    @admin.action(description="Return the selected records to draft", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_state(request, queryset, State.DRAFT)

    def _set_state(self, request, queryset, state):
        # Save one by one so that each change is versioned and attributed in the history.
        changed = 0
        for obj in queryset:
            if obj.state != state:
                obj.state = state
                obj._change_reason = f"Set to {state} from the list"
                obj.save()
                changed += 1
        self.message_user(request, f"{changed} record(s) set to {state}.")


@admin.register(Source)
class SourceAdmin(CuratedAdmin):
    list_display = ["__str__", "outlet", "kind", "published", "url", "state"]
    list_filter = ["state", "kind", "outlet"]
    search_fields = ["headline", "outlet", "author", "url", "notes"]
    date_hierarchy = "published"


@admin.register(Agency)
class AgencyAdmin(CuratedAdmin):
    list_display = ["name", "abbreviation", "parent", "state"]
    search_fields = ["name", "abbreviation", "slug", "aliases"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["abbreviation"]}
    inlines = [CitationInline]


@admin.register(Organization)
class OrganizationAdmin(CuratedAdmin):
    list_display = ["name", "kind", "state"]
    list_filter = ["state", "kind"]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CitationInline]


@admin.register(Person)
class PersonAdmin(CuratedAdmin):
    list_display = ["name", "role", "agency", "organization", "state"]
    list_filter = ["state", "agency"]
    search_fields = ["name", "role", "slug", "aliases"]
    autocomplete_fields = ["agency", "organization"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CitationInline]


class LifecycleInline(SoftDeleteInlineMixin, admin.TabularInline):
    model = LifecycleTransition
    extra = 0
    fields = ["status", "date", "date_precision", "event", "note", "state"]
    autocomplete_fields = ["event"]
    verbose_name_plural = "lifecycle (dated status changes; the latest is the current status)"


class ProgramEventInline(admin.TabularInline):
    model = Event.programs.through
    extra = 0
    autocomplete_fields = ["event"]
    verbose_name = "event"
    verbose_name_plural = "events"


class ProgramStatementInline(SoftDeleteInlineMixin, admin.TabularInline):
    model = Statement
    fk_name = "program"
    extra = 0
    fields = ["slug", "speaker", "quote", "date", "date_precision", "state"]
    autocomplete_fields = ["speaker"]


class ProgramContractInline(SoftDeleteInlineMixin, admin.TabularInline):
    model = Contract
    fk_name = "program"
    extra = 0
    fields = ["slug", "title", "agency", "vendor", "value_usd", "announced", "announced_precision", "state"]
    autocomplete_fields = ["agency", "vendor"]


@admin.register(Program)
class ProgramAdmin(CuratedAdmin):
    list_display = ["name", "status", "state", "modified_at"]
    list_filter = ["state", "status", "agencies"]
    search_fields = ["name", "slug", "aliases", "summary"]
    autocomplete_fields = ["agencies", "vendors"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = CuratedAdmin.readonly_fields + ["status"]
    inlines = [LifecycleInline, ProgramEventInline, ProgramStatementInline, ProgramContractInline,
               CitationInline, ClaimInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_status()


@admin.register(LifecycleTransition)
class LifecycleTransitionAdmin(CuratedAdmin):
    list_display = ["program", "status", "date", "date_precision", "state"]
    list_filter = ["state", "status", "program"]
    search_fields = ["program__name", "note"]
    autocomplete_fields = ["program", "event"]
    inlines = [CitationInline]


class EventStatementInline(SoftDeleteInlineMixin, admin.TabularInline):
    model = Statement
    fk_name = "event"
    extra = 0
    fields = ["slug", "speaker", "quote", "date", "date_precision", "state"]
    autocomplete_fields = ["speaker"]


@admin.register(Event)
class EventAdmin(CuratedAdmin):
    list_display = ["title", "date", "date_precision", "kind", "state", "modified_at"]
    list_filter = ["state", "kind", "date_precision", "programs", "agencies"]
    search_fields = ["title", "slug", "summary"]
    autocomplete_fields = ["programs", "agencies", "organizations", "people", "contract"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "date"
    inlines = [EventStatementInline, CitationInline, ClaimInline]


@admin.register(Contract)
class ContractAdmin(CuratedAdmin):
    list_display = ["title", "agency", "vendor", "value_usd", "announced", "state"]
    list_filter = ["state", "agency", "vendor"]
    search_fields = ["title", "slug", "piid", "generated_award_id", "notes"]
    autocomplete_fields = ["agency", "vendor", "program", "parent_award"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CitationInline, ClaimInline]


@admin.register(Statement)
class StatementAdmin(CuratedAdmin):
    list_display = ["__str__", "speaker", "date", "date_precision", "state"]
    list_filter = ["state", "agency", "speaker"]
    search_fields = ["quote", "context", "speaker__name", "slug"]
    autocomplete_fields = ["speaker", "agency", "event", "program"]
    inlines = [CitationInline]


@admin.register(Claim)
class ClaimAdmin(CuratedAdmin):
    list_display = ["fact", "fact_label", "value", "source", "content_type", "object_id", "in_conflict", "state"]
    list_filter = ["state", "content_type", "fact"]
    search_fields = ["fact", "fact_label", "value", "quote"]
    autocomplete_fields = ["source"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_conflicts(request.user).select_related("source", "content_type")

    @admin.display(boolean=True, description="conflict")
    def in_conflict(self, obj):
        return obj.in_conflict


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["source", "content_type", "object_id", "locator"]
    list_filter = ["content_type"]
    search_fields = ["source__headline", "source__outlet", "note"]
    autocomplete_fields = ["source"]
