"""Curators' side: watches with their health, and the awards proposed as contracts on record."""
from django.contrib import admin, messages

from sources.queueing import enqueue_on_commit
from records.awards import accept_match, reject_match
from records.models import AwardRecord, AwardWatch, MatchStatus, RegisterDocument, RegisterWatch
from records.tasks import sync_award_watch_task, sync_register_watch_task

HEALTH_FIELDS = ("last_synced_at", "last_success_at", "last_status", "last_error", "last_warning", "last_summary",
                 "consecutive_failures")


class WatchAdmin(admin.ModelAdmin):
    list_display = ("name", "health", "enabled", "last_synced_at", "last_summary", "last_error", "next_sync_at")
    list_filter = ("enabled",)
    readonly_fields = HEALTH_FIELDS
    actions = ["sync_now", "pause"]
    task = None

    @admin.display(description="health")
    def health(self, watch):
        return watch.health

    @admin.action(description="Sync the selected watches now")
    def sync_now(self, request, queryset):
        for watch in queryset:
            enqueue_on_commit(self.task, watch.pk, force=True)
        self.message_user(request, f"{queryset.count()} sync(s) queued.", messages.SUCCESS)

    @admin.action(description="Pause the selected watches")
    def pause(self, request, queryset):
        queryset.update(enabled=False)


@admin.register(AwardWatch)
class AwardWatchAdmin(WatchAdmin):
    fields = ("name", "enabled", "awarding_agency", "awarding_subagency", "recipient", "keywords",
              "award_type_codes", "program", "sync_interval", "next_sync_at", "modified_since", *HEALTH_FIELDS)
    readonly_fields = ("modified_since", *HEALTH_FIELDS)
    task = sync_award_watch_task


@admin.register(RegisterWatch)
class RegisterWatchAdmin(WatchAdmin):
    fields = ("name", "enabled", "agencies", "terms", "document_types", "program", "sync_interval", "next_sync_at",
              "published_since", *HEALTH_FIELDS)
    readonly_fields = ("published_since", *HEALTH_FIELDS)
    task = sync_register_watch_task


@admin.register(AwardRecord)
class AwardRecordAdmin(admin.ModelAdmin):
    list_display = ("__str__", "contract", "match_status", "reasons", "last_modified", "synced_at")
    list_filter = ("match_status",)
    list_select_related = ("contract",)
    search_fields = ("generated_award_id", "piid")
    readonly_fields = [f.name for f in AwardRecord._meta.fields]
    actions = ["accept", "reject"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="why proposed")
    def reasons(self, record):
        return "; ".join(record.match_reasons)

    @admin.action(description="Accept: the award is this contract on record")
    def accept(self, request, queryset):
        done = sum(accept_match(r, request.user) for r in queryset.filter(match_status=MatchStatus.PROPOSED))
        self.message_user(request, f"{done} match(es) accepted.", messages.SUCCESS)

    @admin.action(description="Reject: the award is another contract (create it)")
    def reject(self, request, queryset):
        done = sum(reject_match(r, request.user) for r in queryset.filter(match_status=MatchStatus.PROPOSED))
        self.message_user(request, f"{done} match(es) rejected; their contracts created.", messages.SUCCESS)


@admin.register(RegisterDocument)
class RegisterDocumentAdmin(admin.ModelAdmin):
    list_display = ("document_number", "document_type", "publication_date", "program_scores", "event")
    list_select_related = ("event",)
    readonly_fields = [f.name for f in RegisterDocument._meta.fields]

    def has_add_permission(self, request):
        return False
