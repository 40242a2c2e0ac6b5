"""Feeds and reports in the admin: feed health at a glance, "poll now" and "pause"."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from sources.models import Feed, Report
from sources.polling import queue_poll
from sources.sanitize import safe_link

HEALTH_COLOURS = {"ok": "#2e7d32", "new": "#555", "erroring": "#b26a00", "failing": "#c62828", "paused": "#555"}


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["__str__", "health_badge", "last_status", "short_error", "consecutive_failures",
                    "last_polled_at", "next_poll_at", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["url", "title"]
    actions = ["poll_now", "pause", "resume"]
    readonly_fields = ["etag", "last_modified", "last_polled_at", "last_success_at", "last_status", "last_error",
                       "last_warning", "consecutive_failures", "created_at"]
    fieldsets = [
        (None, {"fields": ["url", "title", "enabled", "poll_interval", "next_poll_at"]}),
        ("Health", {"fields": ["last_status", "last_error", "last_warning", "consecutive_failures",
                               "last_polled_at", "last_success_at", "etag", "last_modified", "created_at"]}),
    ]

    @admin.display(description="health")
    def health_badge(self, feed):
        return format_html('<strong style="color:{}">{}</strong>', HEALTH_COLOURS[feed.health], feed.health)

    @admin.display(description="last error")
    def short_error(self, feed):
        return Truncator(feed.last_error).chars(80)

    @admin.action(description="Poll the selected feeds now", permissions=["change"])
    def poll_now(self, request, queryset):
        feeds = list(queryset.only("id"))
        for feed in feeds:
            queue_poll(feed.pk, force=True)
        self.message_user(request, f"{len(feeds)} feed(s) queued for polling.")

    @admin.action(description="Pause the selected feeds", permissions=["change"])
    def pause(self, request, queryset):
        count = queryset.update(enabled=False)
        self.message_user(request, f"{count} feed(s) paused.")

    @admin.action(description="Resume the selected feeds (poll at once)", permissions=["change"])
    def resume(self, request, queryset):
        from django.utils import timezone

        count = queryset.update(enabled=True, next_poll_at=timezone.now())
        self.message_user(request, f"{count} feed(s) resumed.")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "feed", "published", "published_fallback", "link"]
    list_filter = ["published_fallback"]
    list_select_related = ["feed"]
    search_fields = ["title", "url", "guid"]
    date_hierarchy = "published"
    readonly_fields = ["key", "content_hash", "fetched_at", "matched_at", "copy_of", "copy_evidence", "event_links"]
    # The matcher decides which report a report copies; curators see it (copy_of), not a
    # select of every stored report to change it.
    exclude = ["duplicate_of"]
    raw_id_fields = ["feed"]

    @admin.display(description="copy of")
    def copy_of(self, report):
        """The earlier report this one copies (a link to its page), or the empty value."""
        original = report.duplicate_of
        if original is None:
            return None
        return format_html('<a href="{}">{}</a>', reverse("admin:sources_report_change", args=[original.pk]), original)

    @admin.display(description="event links")
    def event_links(self, report):
        """The report's links to events, primary first then by score: one query."""
        links = report.event_links.select_related("event").order_by("-is_primary", "-score", "id")
        rows = format_html_join(
            "", '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            ((reverse("admin:timeline_event_change", args=[link.event_id]), link.event, link.get_status_display(),
              f"{link.score:.3f}", "primary" if link.is_primary else "") for link in links))
        if not rows:
            return None
        return format_html('<table class="event-links"><thead><tr><th>event</th><th>status</th><th>score</th>'
                           "<th>primary</th></tr></thead><tbody>{}</tbody></table>", rows)

    @admin.display(description="link")
    def link(self, report):
        url = safe_link(report.url)
        return format_html('<a href="{}" rel="nofollow noopener noreferrer">{}</a>', url, url) if url else ""

from sources import review_admin  # noqa: E402,F401  (the review queue: links, suggestions, decisions)
