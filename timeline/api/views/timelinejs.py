"""/api/v1/timeline.json: published events in TimelineJS3's JSON format, for newsroom embeds."""
import django_filters
from django.utils.html import escape, format_html, format_html_join
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView

from timeline.api.caching import conditional_json
from timeline.api.filters import AgencyTreeMixin, by_slug
from timeline.api.presenting import RowContext
from timeline.api.serializers.event import EventPresenter
from timeline.dates import Precision
from timeline.models import Agency, Event, EventKind, Program

KIND_LABELS = dict(EventKind.choices)


class TimelineFilterSet(AgencyTreeMixin, django_filters.FilterSet):
    agency_path = "agencies"
    program = by_slug(Program, "programs", "Program slug.")
    agency = by_slug(Agency, "agencies", "Agency slug; includes its child agencies.", method="agency_tree")

    class Meta:
        model = Event
        fields = []


def timeline_date(value, precision, display):
    """Return a TimelineJS date object carrying only the parts the precision knows."""
    out = {"year": value.year}
    if precision in (Precision.MONTH, Precision.DAY):
        out["month"] = value.month
    if precision == Precision.DAY:
        out["day"] = value.day
    out["display_date"] = display
    return out


def timeline_event(item):
    """Turn one presented event into a TimelineJS slide: headline, escaped text, linked sources."""
    sources = format_html_join(
        "", '<li><a href="{}">{}</a></li>',
        ((c["url"] or c["source_url"], c["headline"] or c["outlet"] or "Source") for c in item["citations"]),
    )
    text = format_html("<p>{}</p>", item["summary"])
    if item["citations"]:
        text += format_html("<p>Sources:</p><ul>{}</ul>", sources)
    slide = {
        "unique_id": item["slug"],
        "start_date": timeline_date(item["date"], item["date_precision"], item["date_display"]),
        "text": {"headline": escape(item["title"]), "text": str(text)},
        "group": KIND_LABELS.get(item["kind"], item["kind"]),
    }
    if item["date_precision"] != Precision.DAY:
        slide["end_date"] = timeline_date(item["date_end"], Precision.DAY, item["date_display"])
        slide["end_date"].pop("display_date")
    return slide


class TimelineJSView(GenericAPIView):
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = TimelineFilterSet
    queryset = Event.objects.none()
    pagination_class = None

    def get_queryset(self):
        return Event.objects.published().filter(date__isnull=False)

    @extend_schema(
        summary="Published events as a TimelineJS3 timeline",
        parameters=[OpenApiParameter("program", OpenApiTypes.STR, description="Program slug."),
                    OpenApiParameter("agency", OpenApiTypes.STR,
                                     description="Agency slug; includes its child agencies.")],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="TimelineJS3 JSON: {title, events}"),
                   400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad input; keys name the parameters.")},
    )
    def get(self, request):
        """Queries: the events, then their citations and links together (two, whatever the count)."""
        queryset = self.filter_queryset(self.get_queryset()).order_by("date", "id")
        presenter = EventPresenter(RowContext(request.build_absolute_uri("/")))
        rows = list(presenter.values(queryset))
        items = presenter.present(rows)
        data = {
            "title": {"text": {"headline": "Surveillance and immigration-enforcement timeline",
                               "text": "Published events with their sources."}},
            "events": [timeline_event(item) for item in items],
        }
        return conditional_json(request, data, max((r["modified_at"] for r in rows), default=None))
