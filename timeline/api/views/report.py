"""/api/v1/reports/: feed items with their event links and duplicates (read-only)."""
import django_filters
from django.db.models import Exists, OuterRef
from rest_framework.exceptions import NotFound

from sources.models import Report, ReportEventLink
from timeline import content_versions
from timeline.api.filters import IdFilter, StrictBooleanFilter, UTCDateTimeFilter, by_slug
from timeline.api.serializers.report import STANDING, ReportPresenter, ReportSchema, public_reports
from timeline.api.views.base import ResourceViewSet, document
from timeline.models import Event, Program, reader_is_staff


class ReportFilterSet(django_filters.FilterSet):
    event = by_slug(Event, "event_links__event", "Reports linked to this event (slug).", method="linked_to_event")
    program = by_slug(Program, "event_links__event__programs", "Reports linked to an event of this program.",
                      method="linked_to_program")
    feed = IdFilter(field_name="feed_id", label="Feed id.")
    is_duplicate = StrictBooleanFilter(field_name="duplicate_of", lookup_expr="isnull", exclude=True,
                                       label="true: only copies of an earlier report; false: only originals.")
    published_since = UTCDateTimeFilter(field_name="published", lookup_expr="gte",
                                                       label="Published at or after (ISO 8601).")
    fetched_since = UTCDateTimeFilter(field_name="fetched_at", lookup_expr="gte",
                                                     label="Fetched at or after (ISO 8601), for incremental sync.")

    class Meta:
        model = Report
        fields = []

    def linked(self, queryset, **lookup):
        links = ReportEventLink.objects.filter(report=OuterRef("pk"), **lookup)
        if not reader_is_staff(self.request.user if self.request else None):
            links = links.filter(status__in=STANDING)
        return queryset.filter(Exists(links))

    def linked_to_event(self, queryset, name, event: str):
        return self.linked(queryset, event=event)

    def linked_to_program(self, queryset, name, program: str):
        return self.linked(queryset, event__programs=program)


@document
class ReportViewSet(ResourceViewSet):
    model = Report
    queryset = Report.objects.none()  # for the permission class; get_queryset scopes by reader
    presenter_class = ReportPresenter
    serializer_class = ReportSchema
    filterset_class = ReportFilterSet
    ordering_fields = ("published", "fetched_at")
    default_ordering = "-published"
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]{1,18}"
    topics = (content_versions.TIMELINE, content_versions.REPORTS)  # links name events

    def get_queryset(self):
        """Every report for staff; for the public, reports with a standing link to a published event."""
        if reader_is_staff(self.request.user):
            return Report.objects.all()
        return public_reports()

    def raise_missing(self, key):
        """Reports are never soft-deleted: a missing one is 404."""
        raise NotFound(f"No report with id {key!r}.")
