"""/api/v1/timeline.json: published events in TimelineJS3's JSON format, for newsroom embeds."""
import django_filters
from django.utils.html import escape, format_html, format_html_join
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView

from timeline import content_versions
from timeline.api.caching import ResponseCache
from timeline.api.filters import AgencyTreeMixin, by_slug
from timeline.api.presenting import RowContext
from timeline.api.serializers.event import EventPresenter
from timeline.api.views.base import reject_unknown_parameters
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
    """Return a TimelineJS date carrying only the parts the precision knows, and the date as
    people write it ("April 2025"), which TimelineJS shows instead of its own rendering."""
    out = {"year": value.year}
    if precision in (Precision.MONTH, Precision.DAY):
        out["month"] = value.month
    if precision == Precision.DAY:
        out["day"] = value.day
    out["display_date"] = display
    return out


def timeline_event(item):
    """Turn one presented event into a TimelineJS slide: headline, escaped text, a link to the
    event's page and its sources. A month or a year is one date, not a range: an end date would
    make TimelineJS show "April 2025 — April 30, 2025"."""
    text = format_html("<p>{}</p>", item["summary"]) if item["summary"] else ""
    if item["web_url"]:
        text += format_html('<p><a href="{}">The event, its sources and any disputed facts</a></p>', item["web_url"])
    if item["citations"]:
        sources = format_html_join(
            "", '<li><a href="{}">{}</a></li>',
            ((c["url"] or c["source_url"], c["headline"] or c["outlet"] or "Source") for c in item["citations"]),
        )
        text += format_html("<p>Sources:</p><ul>{}</ul>", sources)
    return {
        "unique_id": item["slug"],
        "start_date": timeline_date(item["date"], item["date_precision"], item["date_display"]),
        "text": {"headline": escape(item["title"]), "text": str(text)},
        "group": KIND_LABELS.get(item["kind"], item["kind"]),
    }


def timeline_title(filters):
    """Name what the timeline shows: the program or agency it was filtered by, if any."""
    program, agency = filters.get("program"), filters.get("agency")
    subject = " and ".join(name for name in (program and program.name, agency and agency.name) if name)
    headline = f"{subject}: events" if subject else "Surveillance and immigration-enforcement timeline"
    return {"text": {"headline": escape(headline), "text": "Published events with their sources."}}


class TimelineJSView(GenericAPIView):
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = TimelineFilterSet
    queryset = Event.objects.none()
    pagination_class = None

    def get_queryset(self):
        return Event.objects.published().filter(date__isnull=False)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_unknown_parameters(request, {"program", "agency", "format"})

    @extend_schema(
        summary="Published events as a TimelineJS3 timeline",
        parameters=[OpenApiParameter("program", OpenApiTypes.STR, description="Program slug."),
                    OpenApiParameter("agency", OpenApiTypes.STR,
                                     description="Agency slug; includes its child agencies.")],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="TimelineJS3 JSON: {title, events}"),
                   400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad input; keys name the parameters.")},
    )
    def get(self, request):
        """Queries: none when cached; else the filter's records, the events, then their
        citations and links together (two, whatever the count)."""
        cache = ResponseCache(request, (content_versions.TIMELINE,))
        cached = cache.lookup()
        if cached is not None:
            return cached
        filterset = TimelineFilterSet(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        queryset = filterset.qs.order_by("date", "id")
        presenter = EventPresenter(RowContext.for_request(request))
        rows = list(presenter.values(queryset))
        data = {"title": timeline_title(filterset.form.cleaned_data),
                "events": [timeline_event(item) for item in presenter.present(rows)]}
        return cache.respond(data, max((r["modified_at"] for r in rows), default=None))
