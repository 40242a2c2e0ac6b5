"""/api/v1/<kind>/<key>/versions/ and /versions/<n>/: a record's public versions, as the
version pages show them (timeline.versions), for researchers who cite or mirror a version.

Like every API read, they take no query parameter they do not know (only `format`) and their
JSON responses are cached whole (timeline.api.caching): a new version is a save of a curated
record, which bumps the `timeline` topic.
"""
from django.db.models import ForeignKey
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from timeline import content_versions, versions
from timeline.api.caching import ResponseCache
from timeline.api.views.base import reject_unknown_parameters
from timeline.dates import iso_precise
from timeline.versions import PRECISION_FIELDS

# The API's detail route for each kind (the router's basenames).
API_DETAIL = {"agencies": "agency", "organizations": "organization", "people": "person", "programs": "program",
              "events": "event", "contracts": "contract", "statements": "statement", "sources": "source"}
KIND_PATTERN = "|".join(API_DETAIL)


def record_and_kind(kind, key):
    """Return (VersionedKind, record) or raise a JSON 404."""
    try:
        versioned = versions.kind_or_404(kind)
        return versioned, versions.find_record(versioned, key)
    except Http404 as error:
        raise NotFound(str(error)) from None


def related_keys(versioned, rows):
    """The public slug (or id, for sources) of every record the rows point to, by (model, id)."""
    keys = {}
    for model, ids in versions.referenced_ids(versioned, rows):
        lookup = "slug" if any(f.name == "slug" for f in model._meta.fields) else "pk"
        for pk, key in model.objects.published().filter(pk__in=ids).values_list("pk", lookup):
            keys[(model, pk)] = key
    return keys


def fields_json(versioned, row, keys):
    """A version's fields as JSON values: dates at their precision ('2025-04'), amounts as text,
    choices by their stored value, other records by slug (null when not public)."""
    data = {}
    for name in versioned.fields:
        field = row._meta.get_field(name)
        if isinstance(field, ForeignKey):
            related_id = getattr(row, field.attname)
            data[name] = keys.get((field.related_model, related_id)) if related_id is not None else None
            continue
        value = getattr(row, name)
        if name in PRECISION_FIELDS:
            data[name] = iso_precise(value, getattr(row, PRECISION_FIELDS[name])) if value else None
            data[PRECISION_FIELDS[name]] = getattr(row, PRECISION_FIELDS[name])
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        elif value is not None and not isinstance(value, (str, int, bool)):
            data[name] = str(value)
        else:
            data[name] = value
    return data


def version_summary(request, versioned, key, row):
    return {
        "version": row.version,
        "date": row.history_date.isoformat(),
        "change": versions.describe_change(row),
        "role": versions.role_of(row.history_user),
        "deleted": row.deleted_at is not None,
        "url": request.build_absolute_uri(reverse("api:version", args=[versioned.segment, key, row.version])),
        "web_url": request.build_absolute_uri(versioned.version_url(key, row.version)),
    }


class VersionsView(APIView):
    """A read of versions: unknown query parameters refused, JSON answers from the response cache."""

    # Read-only and public (versions.public_history decides what a reader sees); the API's
    # default permission needs a queryset to judge other methods, which these views have none of.
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]
    # Lists answer 304 on the ETag only (caching's docstring); one version also on its date.
    allow_if_modified_since = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_unknown_parameters(request, {"format"})

    def get(self, request, **kwargs):
        """Queries: none when cached; else those of build()."""
        if request.accepted_renderer.format != "json":
            return Response(self.build(request, **kwargs)[0])  # the browsable API
        cache = ResponseCache(request, (content_versions.TIMELINE,))
        cached = cache.lookup()
        if cached is not None:
            return cached
        data, last_modified = self.build(request, **kwargs)
        return cache.respond(data, last_modified, allow_if_modified_since=self.allow_if_modified_since)

    def build(self, request, **kwargs):
        """Return (the response's data, when its newest version was recorded)."""
        raise NotImplementedError


class RecordVersionsView(VersionsView):
    """Every public version of a record, oldest first."""

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="A record's public versions", operation_id="record_versions_list")
    def get(self, request, kind, key):
        return super().get(request, kind=kind, key=key)

    def build(self, request, kind, key):
        versioned, record = record_and_kind(kind, key)
        history = versions.public_history(versioned, record)
        return {
            "kind": kind,
            "key": key,
            "record_url": request.build_absolute_uri(reverse(f"api:{API_DETAIL[kind]}-detail", args=[key])),
            "current_version": history[-1].version if history else None,
            "deleted_at": record.deleted_at.isoformat() if record.deleted_at else None,
            "results": [version_summary(request, versioned, key, row) for row in history],
        }, history[-1].history_date if history else None


class RecordVersionView(VersionsView):
    """A record as it stood at version n, and what the next public version changed."""

    # Its body changes only when a newer version is recorded (current_version, next_version).
    allow_if_modified_since = True

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="A record as it stood at version n", operation_id="record_version_retrieve")
    def get(self, request, kind, key, number):
        return super().get(request, kind=kind, key=key, number=number)

    def build(self, request, kind, key, number):
        number = int(number)
        versioned, record = record_and_kind(kind, key)
        try:
            version, history = versions.version_of(versioned, record, number)
        except Http404 as error:
            raise NotFound(str(error)) from None
        numbers = [row.version for row in history]
        following = history[numbers.index(number) + 1] if version.next_number else None
        rows = [version.row] + ([following] if following is not None else [])
        keys = related_keys(versioned, rows)
        fields = fields_json(versioned, version.row, keys)
        next_fields = fields_json(versioned, following, keys) if following is not None else None
        return {
            **version_summary(request, versioned, key, version.row),
            "current_version": numbers[-1],
            "next_version": version.next_number,
            "record": fields,
            "changed_in_next_version": [
                {"field": name, "before": fields[name], "after": next_fields[name]}
                for name in fields if fields[name] != next_fields[name]
            ] if next_fields is not None else [],
        }, history[-1].history_date
