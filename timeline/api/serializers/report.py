"""Reports: news items from polled feeds, with the events they are linked to.

Reports are not curated records: the public sees a report once a standing link (attached by the
matcher or approved by a curator) ties it to a published event, and sees only those links;
staff see every report and every link with its status and score.
"""
from django.db.models import Exists, OuterRef
from rest_framework import serializers

from sources.models import LinkStatus, Report, ReportEventLink
from sources.sanitize import html_to_text
from timeline.api.presenting import Presenter
from timeline.api.serializers.common import describe
from timeline.models import visibility_q

STANDING = (LinkStatus.ATTACHED.value, LinkStatus.APPROVED.value)


def public_reports():
    """Reports the public may see: those with a standing link to an event the public sees."""
    standing = ReportEventLink.objects.filter(visibility_q(None, "event__"), report=OuterRef("pk"), status__in=STANDING)
    return Report.objects.filter(Exists(standing))


class EventLinkSchema(serializers.Serializer):
    event = serializers.SlugField()
    event_url = serializers.URLField()
    status = serializers.ChoiceField(choices=LinkStatus.choices)
    score = serializers.FloatField(help_text="The matcher's score, 0 to 1.")
    is_primary = serializers.BooleanField()


class ReportPresenter(Presenter):
    model = Report
    route = "api:report-detail"
    lookup = "pk"
    cited = False
    fields = (("document_url", "url"), "title", "summary", "author", "published", "published_fallback")
    transforms = {"summary": html_to_text, "document_url": lambda url: url or None}
    trailer = ("fetched_at",)
    schema_fields = {
        "document_url": serializers.URLField(allow_null=True, help_text="The item's own link."),
        "summary": serializers.CharField(allow_blank=True, help_text="The feed's summary as plain text."),
        "outlet": serializers.CharField(allow_blank=True, help_text="Who published it (the feed's title)."),
        "duplicate_of": serializers.IntegerField(allow_null=True, help_text="The earlier report this one copies."),
        "duplicate_of_url": serializers.URLField(allow_null=True),
        "events": EventLinkSchema(many=True, help_text="The events this report is linked to."),
    }

    def value_names(self):
        # The feed's own address is never shown: it may be internal (a file:// path, an intranet host).
        return [*super().value_names(), "feed__title", "duplicate_of_id"]

    def extra(self, rows):
        """Fetch the page's event links (one query): standing links to visible events for the
        public, every link for staff."""
        ids = [r["id"] for r in rows]
        links = ReportEventLink.objects.filter(report_id__in=ids)
        if not self.ctx.staff:
            links = links.filter(status__in=STANDING)
        by_report, self.latest_link_change = {}, None
        for link in links.order_by("report_id", "-is_primary", "-score", "id").values(
                "report_id", "event__slug", "event__state", "event__deleted_at", "status", "score", "is_primary",
                "updated_at"):
            if not self.ctx.can_see(link["event__state"], link["event__deleted_at"]):
                continue
            by_report.setdefault(link["report_id"], []).append({
                "event": link["event__slug"], "event_url": self.ctx.url("api:event-detail", link["event__slug"]),
                "status": link["status"], "score": round(link["score"], 4), "is_primary": link["is_primary"],
            })
            if self.latest_link_change is None or link["updated_at"] > self.latest_link_change:
                self.latest_link_change = link["updated_at"]
        return by_report

    def decorate(self, item, row, extra):
        item["outlet"] = row["feed__title"]
        item["duplicate_of"] = row["duplicate_of_id"]
        item["duplicate_of_url"] = self.ctx.url(self.route, row["duplicate_of_id"])
        item["events"] = extra.get(row["id"], [])

    def last_modified(self, rows):
        """The newest of the reports' fetch times and their links' changes (present() first)."""
        times = [r["fetched_at"] for r in rows] + [getattr(self, "latest_link_change", None)]
        return max((t for t in times if t is not None), default=None)


ReportSchema = describe(ReportPresenter)
