"""Ordering and cursor pagination that stay stable while the data changes.

A cursor names the last row a client has seen by its ordering value and id, so rows added or
removed before it never shift the next page (offset pagination would skip or repeat rows).
Nulls sort last in both directions.
"""
import base64
import binascii
import datetime
import json

from django.db.models import F, Q
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import BasePagination
from rest_framework.utils.urls import remove_query_param, replace_query_param


class Ordering:
    """A validated ordering: one field plus id as the tie-breaker."""

    def __init__(self, field, descending):
        self.field, self.descending = field, descending

    def order_by(self):
        expression = F(self.field)
        if self.descending:
            return [expression.desc(nulls_last=True), "-id"]
        return [expression.asc(nulls_last=True), "id"]

    def after(self, value, pk):
        """Return a Q selecting the rows that come after (value, pk) in this ordering."""
        # Conditions as positional pairs, which keep their order (keyword ones are sorted by
        # name), so that the parameters come in the order after_params gives.
        f, by_id = self.field, ("id__lt" if self.descending else "id__gt", pk)
        if value is None:
            return Q((f"{f}__isnull", True), by_id)
        beyond = Q((f"{f}__lt" if self.descending else f"{f}__gt", value))
        tie = Q((f, value), by_id)
        return beyond | tie | Q((f"{f}__isnull", True))


def ordering_choices(view):
    return [v for f in view.ordering_fields for v in (f, f"-{f}")]


def parse_ordering(request, view):
    """Return the view's Ordering for `?ordering=` (default: the view's); unknown field: 400."""
    raw = request.query_params.get(OrderingBackend.param, "").strip() or view.default_ordering
    if raw not in ordering_choices(view):
        raise ValidationError({OrderingBackend.param: [
            f"Unknown ordering field {raw!r}; choose one of: {', '.join(ordering_choices(view))}."
        ]})
    return Ordering(raw.lstrip("-"), raw.startswith("-"))


class OrderingBackend(BaseFilterBackend):
    """Document `?ordering=` in the schema; the view parses it (parse_ordering) and orders."""

    param = "ordering"

    def filter_queryset(self, request, queryset, view):
        return queryset

    def get_schema_operation_parameters(self, view):
        return [{
            "name": self.param, "required": False, "in": "query",
            "description": f"Sort order; a leading '-' reverses it. Default: {view.default_ordering}. "
                           "Ties break on id; records without a value come last.",
            "schema": {"type": "string", "enum": ordering_choices(view)},
        }]


def encode_cursor(value, pk):
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


INTEGER_TYPES = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "PositiveIntegerField",
                 "PositiveBigIntegerField", "SmallIntegerField", "PositiveSmallIntegerField"}


def cursor_value(value, field):
    """Return a cursor's ordering value as `field` stores it; raise ValueError when it cannot be
    one (an integer where a date belongs, a date beyond the calendar once in UTC)."""
    kind = field.get_internal_type()
    if value is None:
        return None
    if kind in INTEGER_TYPES:
        if not isinstance(value, int) or isinstance(value, bool) or not -2**63 <= value < 2**63:
            raise ValueError
        return value
    if not isinstance(value, str):
        raise ValueError
    if kind == "DateField":
        return datetime.date.fromisoformat(value)
    if kind == "DateTimeField":
        moment = datetime.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError
        return moment.astimezone(datetime.timezone.utc)  # OverflowError past year 1 or 9999
    return value


def decode_cursor(token, field):
    """Return (value, pk) from a cursor token; raise a 400 naming `cursor` when it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, pk = json.loads(raw)
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63:
            raise ValueError
        return cursor_value(value, field), pk
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise ValidationError({"cursor": ["Invalid cursor: pass back the `next` link unchanged."]})


class KeysetPagination(BasePagination):
    """Cursor pagination over (ordering field, id); `page_size` up to `max_page_size`."""

    page_size = 50
    max_page_size = 500
    page_size_param = "page_size"
    cursor_param = "cursor"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_param)
        if raw is None or raw == "":
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_param: [
                f"Must be a whole number from 1 to {self.max_page_size}; got {raw[:40]!r}."
            ]})
        return int(raw)

    def rows(self, queryset, ordering, size, after=None):
        """Fetch up to `size` value rows after the cursor position (one query)."""
        if after is not None:
            queryset = queryset.filter(ordering.after(*after))
        return list(queryset.order_by(*ordering.order_by())[:size])

    def page(self, queryset, request, ordering):
        """Return (rows, next link) for the request's cursor and page size; `queryset` gives
        dicts holding at least id and the ordering field."""
        size = self.get_page_size(request)
        token = request.query_params.get(self.cursor_param)
        field = queryset.model._meta.get_field(ordering.field)
        after = decode_cursor(token, field) if token else None
        rows = self.rows(queryset, ordering, size + 1, after)
        next_link = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            url = request.build_absolute_uri()
            next_link = replace_query_param(url, self.cursor_param, encode_cursor(last[ordering.field], last["id"]))
        return rows, next_link

    def first_page_url(self, request):
        return remove_query_param(request.build_absolute_uri(), self.cursor_param)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True,
                         "description": "The next page, or null on the last page."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.cursor_param, "required": False, "in": "query",
             "description": "Opaque position from a `next` link.", "schema": {"type": "string"}},
            {"name": self.page_size_param, "required": False, "in": "query",
             "description": f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}).",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]
