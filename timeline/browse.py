"""The timeline's filters and its grouping of events by year and month.

Shared by the timeline page, the search page and the feeds, so that "events of ICE" means the
same thing everywhere: an agency includes the agencies below it.
"""
import calendar
from dataclasses import dataclass, field

from urllib.parse import urlencode

from django import forms
from django.db.models import Prefetch, Q

from timeline.dates import Precision
from timeline.models import Agency, Event, EventKind, Organization, Program

MAX_QUERY_LENGTH = 200


class SlugChoiceField(forms.ModelChoiceField):
    """A select of published records, submitted by slug (so filter URLs are readable)."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", required=False, **kwargs)
        self.error_messages["invalid_choice"] = "There is no published record with that name; choose one from the list."

    def label_from_instance(self, obj):
        return obj.abbreviation or obj.name if isinstance(obj, Agency) else str(obj)


class TimelineFilterForm(forms.Form):
    """The timeline's filters, all optional, read from the query string."""

    q = forms.CharField(label="Words", required=False, max_length=MAX_QUERY_LENGTH, strip=True)
    program = SlugChoiceField(Program.objects.published().only("slug", "name"), label="Program", empty_label="All programs")
    agency = SlugChoiceField(Agency.objects.published().only("slug", "name", "abbreviation"), label="Agency", empty_label="All agencies")
    organization = SlugChoiceField(Organization.objects.published().only("slug", "name"), label="Organization",
                                   empty_label="All organizations")
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "All kinds"), *EventKind.choices])
    year = forms.IntegerField(label="Year", required=False, min_value=1900, max_value=2100,
                              error_messages={"invalid": "Enter a year such as 2025."})
    order = forms.ChoiceField(label="Order", required=False, choices=[("", "Newest first"), ("oldest", "Oldest first")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Fresh querysets per form: the class-level ones would cache their rows across requests.
        for name in ("program", "agency", "organization"):
            self.fields[name].queryset = self.fields[name].queryset.all()

    def is_filtered(self):
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("q", "program", "agency", "organization", "kind", "year"))

    def api_query(self):
        """The same filters as a query string of the API's events list (/api/v1/events/), for
        the CSV and JSON links of a filtered timeline. Only parameters the API defines."""
        data = getattr(self, "cleaned_data", {})
        params = {}
        for name in ("program", "agency", "organization"):
            if data.get(name):
                params[name] = data[name].slug
        if data.get("kind"):
            params["kind"] = data["kind"]
        if data.get("year"):
            params["date_from"] = params["date_to"] = str(data["year"])
        if data.get("q"):
            params["q"] = data["q"]
        params["ordering"] = "date" if data.get("order") == "oldest" else "-date"
        return urlencode(params)

    def filter(self, events):
        """Apply the valid filters to an Event queryset (one query per agency level for agency)."""
        data = self.cleaned_data
        return filter_events(
            events, q=data.get("q"), program=data.get("program"), agency=data.get("agency"),
            organization=data.get("organization"), kind=data.get("kind"), year=data.get("year"),
        )


def filter_events(events, *, q=None, program=None, agency=None, organization=None, kind=None, year=None):
    """Narrow an Event queryset; an agency includes its child agencies (hits the database for them)."""
    if program:
        events = events.filter(programs=program)
    if agency:
        # A subquery rather than a join, so an event of both CBP and DHS is listed once.
        tagged = Event.agencies.through.objects.filter(agency_id__in=agency.descendant_ids())
        events = events.filter(pk__in=tagged.values("event_id"))
    if organization:
        events = events.filter(organizations=organization)
    if kind:
        events = events.filter(kind=kind)
    if year:
        # Stored dates are the first day of their period and periods never cross a year.
        events = events.filter(date__year=year)
    if q:
        events = events.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    return events


def published_programs():
    return Program.objects.published().only("slug", "name", "status")


def event_list(events):
    """Events for a list: the fields a list shows and their published programs (+1 query)."""
    return events.only("slug", "title", "kind", "date", "date_precision", "date_end", "summary").prefetch_related(
        Prefetch("programs", queryset=published_programs(), to_attr="public_programs")
    )


def ordered(events, oldest_first=False):
    """Order events so that each year's and month's events are contiguous.

    A period sorts with its first day; among events starting that day, the wider periods come
    first when reading forwards (the year, then the month, then the day) and last backwards.
    """
    if oldest_first:
        return events.order_by("date", "-date_end", "id")
    return events.order_by("-date", "date_end", "-id")


@dataclass
class Period:
    """A heading of the timeline: a month of a year, the year itself, or no date at all."""

    year: int | None
    month: int | None
    events: list = field(default_factory=list)

    @property
    def label(self):
        if self.year is None:
            return "Date unknown"
        if self.month is None:
            return f"{self.year}, month not known"
        return f"{calendar.month_name[self.month]} {self.year}"

    @property
    def anchor(self):
        if self.year is None:
            return "undated"
        return f"y{self.year}" if self.month is None else f"y{self.year}-{self.month:02d}"


@dataclass
class Year:
    year: int | None
    periods: list = field(default_factory=list)

    @property
    def label(self):
        return str(self.year) if self.year is not None else "Date unknown"


def group_by_year_and_month(events):
    """Group ordered events into years, each holding its months (no queries beyond the list)."""
    years = []
    for event in events:
        year = event.date.year if event.date else None
        month = event.date.month if event.date and event.date_precision != Precision.YEAR else None
        if not years or years[-1].year != year:
            years.append(Year(year))
        periods = years[-1].periods
        if not periods or (periods[-1].year, periods[-1].month) != (year, month):
            periods.append(Period(year, month))
        periods[-1].events.append(event)
    return years
