"""Filters researchers need, one FilterSet per resource (django-filter).

Every bad value is a 400 naming its parameter: choice and slug filters validate through their form
fields, dates through `PreciseDateField`. Date ranges respect precision: an event dated "April
2025" covers 2025-04-01..2025-04-30, so it is inside a range only when that whole period is,
unless `overlap=true` asks for any intersection.
"""
import datetime

import django_filters
import django_filters.rest_framework
from django import forms
from drf_spectacular.drainage import set_override
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from timeline.browse import MAX_QUERY_LENGTH
from timeline.dates import Precision, parse_precise, period_end
from timeline.models import (
    Agency, Claim, Contract, Event, EventKind, Organization, Person, Program, ProgramStatus, Source, State, Statement,
)

# Columns searched by `?q=` per table. On PostgreSQL the same expression backs a GIN index
# (migration 0003_api_indexes), so keep the two in step.
SEARCH_COLUMNS = {
    "timeline_event": ("title", "summary"),
    "timeline_program": ("name", "aliases", "summary"),
    "timeline_statement": ("quote", "context"),
    "timeline_source": ("headline", "outlet", "author", "notes"),
    "timeline_agency": ("name", "abbreviation", "aliases"),
    "timeline_organization": ("name", "aliases"),
    "timeline_person": ("name", "role", "aliases"),
    "timeline_contract": ("title", "piid", "notes"),
    "timeline_claim": ("fact_label", "value", "quote"),
}


def search_document_sql(table, qualified=True):
    """Return the SQL of a table's search document (the indexed expression on PostgreSQL)."""
    prefix = f'"{table}".' if qualified else ""
    joined = " || ' ' || ".join(f'coalesce({prefix}"{col}", \'\')' for col in SEARCH_COLUMNS[table])
    return f"to_tsvector('english'::regconfig, {joined})"


# A search of many words builds a query with a clause per word: SQLite refuses one over 1,000
# deep ("Expression tree is too large"), and no reader needs more than a few dozen.
MAX_SEARCH_WORDS = 32


def validate_search_words(text):
    if len(text.split()) > MAX_SEARCH_WORDS:
        raise forms.ValidationError(f"Search for at most {MAX_SEARCH_WORDS} words.")


def full_text(queryset, text):
    """Filter to rows matching `text`: PostgreSQL full-text search, or on SQLite every word
    appearing (case-insensitively) in one of the searched columns."""
    table = queryset.model._meta.db_table
    words = text.split()
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        match = RawSQL(f"{search_document_sql(table)} @@ websearch_to_tsquery('english'::regconfig, %s)",
                       [text], output_field=BooleanField())
        return queryset.filter(match)
    for word in words:
        any_column = Q()
        for col in SEARCH_COLUMNS[table]:
            any_column |= Q(**{f"{col}__icontains": word})
        queryset = queryset.filter(any_column)
    return queryset


class PreciseDateField(forms.CharField):
    """A date of the form YYYY, YYYY-MM or YYYY-MM-DD; cleans to (first day, last day)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            first, precision = parse_precise(value)
        except ValueError:
            # The input goes in params, never into the message itself: django-filter %-formats
            # messages, and a "%" in the input made that a 500 (found by the abuse run).
            raise forms.ValidationError("%(value)r is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD.",
                                        params={"value": value[:40]})
        return first, period_end(first, precision)


class FilterBackend(django_filters.rest_framework.DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the filters: building a
    FilterSet deep-copies every filter, which costs more than the rest of a list request."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not any(name in request.query_params for name in filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no); anything else is an error rather than silently ignored."""

    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError("%(value)r is not a boolean: use true or false.", params={"value": str(value)[:40]})


class Documented:
    """A filter whose OpenAPI type is `schema_type`, described by its label (drf-spectacular
    otherwise drops the label of a filter whose type it is told), with `schema_extra` (a pattern,
    bounds) so that what the schema calls valid is what the API accepts."""

    schema_type = "string"
    schema_extra = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_override(self, "field", {"type": self.schema_type, **self.schema_extra,
                                     "description": str(self.label or "")})


class StrictBooleanFilter(Documented, django_filters.BooleanFilter):
    field_class = StrictBooleanField
    schema_type = "boolean"


class PreciseDateFilter(Documented, django_filters.Filter):
    field_class = PreciseDateField
    # Years 0001-9999, months 01-12, days 01-31 (a day past the month's end is still a 400).
    schema_extra = {"pattern": r"^([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
                               r"(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"}

    def filter(self, qs, value):
        return qs  # applied together with its partner by the FilterSet (see DatedFilterSet)


class IdFilter(Documented, django_filters.NumberFilter):
    """A database id: a whole number that fits a 64-bit column (larger ones are a 400, not a crash)."""

    field_class = forms.IntegerField
    schema_type = "integer"
    schema_extra = {"format": "int64", "minimum": 1, "maximum": 2**63 - 1}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time compared in UTC. ISO 8601 (and Python) allow UTC offsets up to
    ±23:59, PostgreSQL only ±15:59: the value is converted before it reaches the database, and
    one beyond the calendar's ends stands for the end it passed (found by Schemathesis: a 500)."""

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(datetime.timezone.utc)
            except OverflowError:
                edge = datetime.datetime.min if value.year == 1 else datetime.datetime.max
                value = edge.replace(tzinfo=datetime.timezone.utc)
        return super().filter(qs, value)


class CuratedFilterSet(django_filters.FilterSet):
    modified_since = UTCDateTimeFilter(
        field_name="modified_at", lookup_expr="gte",
        label="Only records changed at or after this time (ISO 8601), for incremental sync.",
    )
    state = django_filters.ChoiceFilter(choices=State.choices, label="Publication state (staff see drafts).")
    q = django_filters.CharFilter(
        method="search", label=f"Full-text search (PostgreSQL; word match on SQLite), up to {MAX_SEARCH_WORDS} words.",
        max_length=MAX_QUERY_LENGTH, validators=[validate_search_words],
    )
    include_deleted = StrictBooleanFilter(
        method="keep", label="true: also list deleted records as tombstones {slug or id, state: deleted, deleted_at, "
                             "url}, so that a sync by modified_since learns of deletions.")

    def search(self, queryset, name, value):
        return full_text(queryset, value)

    def keep(self, queryset, name, value):
        return queryset  # read by the view (it chooses the rows before filtering)


class SlugChoiceFilter(Documented, django_filters.ModelChoiceFilter):
    """A record named by its slug; an unknown slug is a 400 naming the parameter."""


def visible_records(model):
    """A filter's choices: the records of `model` the request's reader may see, so that a draft's
    slug is as unknown to the public as a slug that never existed (no draft oracle)."""
    def choices(request):
        return model.objects.visible_to(request.user if request is not None else None)
    return choices


def by_slug(model, field_name, label, method=None):
    kwargs = {"method": method} if method else {"field_name": field_name}
    return SlugChoiceFilter(
        queryset=visible_records(model), to_field_name="slug", label=label, **kwargs)


class AgencyTreeMixin:
    def agency_tree(self, queryset, name, agency: str):
        """Keep records of the agency or any agency below it (DHS includes CBP and ICE)."""
        # A subquery rather than a join: a record linked to two of those agencies stays one row.
        linked = queryset.model.objects.filter(**{f"{self.agency_path}__in": agency.descendant_ids()})
        return queryset.filter(pk__in=linked.values("pk"))


def period_start(day, precision):
    """Return the first day of the period of this precision that contains `day`."""
    if precision == Precision.YEAR:
        return datetime.date(day.year, 1, 1)
    if precision == Precision.MONTH:
        return datetime.date(day.year, day.month, 1)
    return day


def period_ends_by(field, day):
    """Return a Q for records whose period, stored as its first day in `field` with a precision
    in `field`_precision, ends on or before `day`: the period starts before the first period
    of its precision that begins after `day` (April 2025 ends by 2025-04-30, not by 2025-04-29)."""
    after = day + datetime.timedelta(days=1) if day < datetime.date.max else None
    condition = Q()
    for precision in Precision.values:
        bound = Q(**{f"{field}__lt": period_start(after, precision)}) if after else Q(**{f"{field}__isnull": False})
        condition |= Q(**{f"{field}_precision": precision}) & bound
    return condition


def period_ends_from(field, day):
    """Return a Q for records whose period (as in period_ends_by) ends on or after `day`."""
    condition = Q()
    for precision in Precision.values:
        condition |= Q(**{f"{field}_precision": precision, f"{field}__gte": period_start(day, precision)})
    return condition


class PreciseRangeFilterSet(CuratedFilterSet):
    """A date range (YYYY, YYYY-MM or YYYY-MM-DD) on a precise date, respecting its precision:
    only records whose whole period lies inside, or with `overlap=true` any record whose period
    meets the range. Subclasses name the date field, its range parameters and, where the model
    stores it, the period's last day (else it follows from the precision)."""

    period_field = "date"
    period_end_field = None
    range_params = ("date_from", "date_to")

    overlap = StrictBooleanFilter(
        method="keep", label="true: any record whose period overlaps the range; default: only records wholly inside.")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        start, end = data.get(self.range_params[0]), data.get(self.range_params[1])
        overlap, field, end_field = data.get("overlap"), self.period_field, self.period_end_field
        if start:
            if not overlap:
                queryset = queryset.filter(**{f"{field}__gte": start[0]})
            elif end_field:
                queryset = queryset.filter(**{f"{end_field}__gte": start[0]})
            else:
                queryset = queryset.filter(period_ends_from(field, start[0]))
        if end:
            if overlap:
                queryset = queryset.filter(**{f"{field}__lte": end[1]})
            elif end_field:
                queryset = queryset.filter(**{f"{end_field}__lte": end[1]})
            else:
                queryset = queryset.filter(period_ends_by(field, end[1]))
        return queryset


class DatedFilterSet(PreciseRangeFilterSet):
    """`date_from`/`date_to` (YYYY, YYYY-MM or YYYY-MM-DD) respecting precision, `overlap`."""

    period_end_field = "date_end"
    date_from = PreciseDateFilter(label="Start of the range: YYYY, YYYY-MM or YYYY-MM-DD.")
    date_to = PreciseDateFilter(label="End of the range (a month or year means its last day).")


class EventFilterSet(AgencyTreeMixin, DatedFilterSet):
    agency_path = "agencies"
    kind = django_filters.MultipleChoiceFilter(choices=EventKind.choices, label="Kind of event (repeatable).")
    agency = by_slug(Agency, "agencies", "Agency slug; includes its child agencies.", method="agency_tree")
    program = by_slug(Program, "programs", "Program slug.")
    organization = by_slug(Organization, "organizations", "Organization slug.")
    person = by_slug(Person, "people", "Person slug.")
    contract = by_slug(Contract, "contract", "Contract slug.")

    class Meta:
        model = Event
        fields = []


class StatementFilterSet(AgencyTreeMixin, DatedFilterSet):
    agency_path = "agency"
    agency = by_slug(Agency, "agency", "Agency slug; includes its child agencies.", method="agency_tree")
    program = by_slug(Program, "program", "Program slug.")
    person = by_slug(Person, "speaker", "Speaker's slug.")
    event = by_slug(Event, "event", "Event slug.")

    class Meta:
        model = Statement
        fields = []


class ProgramFilterSet(AgencyTreeMixin, CuratedFilterSet):
    agency_path = "agencies"
    status = django_filters.ChoiceFilter(choices=ProgramStatus.choices, label="Current status.")
    agency = by_slug(Agency, "agencies", "Agency slug; includes its child agencies.", method="agency_tree")
    organization = by_slug(Organization, "vendors", "Vendor's slug.")

    class Meta:
        model = Program
        fields = []


class ContractFilterSet(AgencyTreeMixin, PreciseRangeFilterSet):
    """Announcement ranges respect the announcement's precision, as event dates do: a contract
    announced in "April 2025" is inside 2025-04 and 2025, not inside 2025-04-01..2025-04-15
    unless `overlap=true`."""

    agency_path = "agency"
    period_field = "announced"
    range_params = ("announced_from", "announced_to")
    agency = by_slug(Agency, "agency", "Agency slug; includes its child agencies.", method="agency_tree")
    program = by_slug(Program, "program", "Program slug.")
    organization = by_slug(Organization, "vendor", "Vendor's slug.")
    announced_from = PreciseDateFilter(label="Announced from: YYYY, YYYY-MM or YYYY-MM-DD.")
    announced_to = PreciseDateFilter(label="Announced by: YYYY, YYYY-MM or YYYY-MM-DD (a month or year means its last day).")

    class Meta:
        model = Contract
        fields = []


class AgencyFilterSet(CuratedFilterSet):
    parent = by_slug(Agency, "parent", "Parent agency's slug.")

    class Meta:
        model = Agency
        fields = []


class OrganizationFilterSet(CuratedFilterSet):
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices, label="Kind of organization.")

    class Meta:
        model = Organization
        fields = []


class PersonFilterSet(AgencyTreeMixin, CuratedFilterSet):
    agency_path = "agency"
    agency = by_slug(Agency, "agency", "Affiliated agency's slug; includes child agencies.", method="agency_tree")
    organization = by_slug(Organization, "organization", "Affiliated organization's slug.")

    class Meta:
        model = Person
        fields = []


class SourceFilterSet(CuratedFilterSet):
    kind = django_filters.ChoiceFilter(choices=Source.Kind.choices, label="Kind of source.")
    outlet = django_filters.CharFilter(field_name="outlet", lookup_expr="iexact", label="Outlet name (exact).")
    published_from = django_filters.DateFilter(field_name="published", lookup_expr="gte",
                                               label="Published on or after (YYYY-MM-DD).")
    published_to = django_filters.DateFilter(field_name="published", lookup_expr="lte",
                                             label="Published on or before (YYYY-MM-DD).")

    class Meta:
        model = Source
        fields = []


class ClaimFilterSet(CuratedFilterSet):
    fact = django_filters.CharFilter(field_name="fact", label="Fact key, e.g. 'value'.")
    subject_type = django_filters.ChoiceFilter(
        field_name="content_type__model", label="Kind of record the claim is about.",
        choices=[(m, m) for m in ("agency", "organization", "person", "program", "event", "contract", "statement")])
    source = IdFilter(field_name="source_id", label="Source id.")
    in_conflict = StrictBooleanFilter(field_name="in_conflict",
                                               label="true: only claims another live claim contradicts.")

    class Meta:
        model = Claim
        fields = []
