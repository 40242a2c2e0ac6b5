"""The viewset every resource shares: lists and details, CSV, the response cache, 410 and 409.

Reads build rows with the resource's Presenter (`.values()` queries, no model instances) and
are cached whole (timeline.api.caching); writes go through the resource's write serializer, the
model's full_clean and a row lock that turns a stale `version` into 409 Conflict.
"""
from django.conf import settings
from django.core.exceptions import ValidationError as FormValidationError
from django.db import transaction
from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from timeline import content_versions
from timeline.api.caching import ResponseCache, dump_json, json_response
from timeline.api.filters import FilterBackend, StrictBooleanField
from timeline.api.csv_export import all_rows, csv_lines
from timeline.api.paging import KeysetPagination, OrderingBackend, parse_ordering
from timeline.api.presenting import RowContext
from timeline.api.renderers import CSVRenderer
from timeline.api.throttling import ExportThrottle
from timeline.gone import Gone

# Query parameters every list takes besides its filters.
LIST_PARAMETERS = {"ordering", "cursor", "page_size", "format"}


class StaleVersion(Exception):
    """An edit based on an older version than the stored one."""

    def __init__(self, current, sent):
        super().__init__(current, sent)
        self.current, self.sent = current, sent


def reject_unknown_parameters(request, allowed):
    """Raise a 400 naming every query parameter outside `allowed` (a typo must not widen a sync)."""
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        choices = ", ".join(sorted(allowed)) or "none"
        raise ValidationError({name: [f"Unknown parameter; this endpoint takes: {choices}."] for name in unknown})


class ResourceViewSet(GenericViewSet):
    """List and retrieve one resource. Subclasses set:

    model, presenter_class, serializer_class (the response schema), write_serializer_class,
    filterset_class, ordering_fields, default_ordering, lookup_field ("slug" or "pk"), and
    `topics`: what the responses show, for the response cache (timeline.content_versions).
    """

    model = None
    presenter_class = None
    write_serializer_class = None
    ordering_fields = ("modified_at", "created_at")
    default_ordering = "id"
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends = [FilterBackend, OrderingBackend]
    pagination_class = KeysetPagination
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    topics = (content_versions.TIMELINE,)
    export_throttle_scope = "export"

    def initial(self, request, *args, **kwargs):
        """DRF's checks (content negotiation, authentication, permissions, throttles), then the
        response cache, then the parameters.

        A JSON read whose whole response is cached is answered from `self.cached` by the
        handler, without validating its parameters: that is safe because a response is stored
        only after its URL passed validation, so a URL with an unknown or bad parameter is never
        found. The lookup comes after the throttles, so a cached answer counts against the rate
        like any other, and after authentication, as the key has the reader's kind (public or
        staff). Only JSON is cached: the browsable API and CSV are always built. Skipping the
        validation, the ordering and DRF's content negotiation (below) saves a cached list about
        a tenth of its time in the view (bench/api.py measures the whole request)."""
        super().initial(request, *args, **kwargs)
        self.cache = ResponseCache(request, self.topics) if request.accepted_renderer.format == "json" else None
        self.cached = self.cache and self.cache.lookup()
        if self.cached is None:
            reject_unknown_parameters(request, self.allowed_parameters())

    def perform_content_negotiation(self, request, force=False):
        """JSON, without DRF's negotiation, for a request that names no `format` and accepts
        JSON or anything (no Accept header, `*/*`, `application/json`: what scripts send), which
        DRF's negotiation would answer the same; any other request is negotiated by DRF
        (browsers ask for text/html first and get the browsable API)."""
        if "format" not in request.META.get("QUERY_STRING", "") and \
                request.META.get("HTTP_ACCEPT", "*/*") in ("*/*", "application/json"):
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def allowed_parameters(self):
        if self.action != "list":
            return {"format"}
        filterset_class = self.filterset_class
        return LIST_PARAMETERS | (set(filterset_class.base_filters) if filterset_class else set())

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.exporting():
            throttles.append(ExportThrottle())
        return throttles

    def exporting(self):
        renderer = getattr(self.request, "accepted_renderer", None)
        return self.action == "list" and renderer is not None and renderer.format == "csv"

    def get_queryset(self):
        """Records this reader may see (the model's visible_to: the one visibility rule), and
        in a list, deleted ones they could see when a sync asks for tombstones."""
        readable = self.model.objects.visible_to(self.request.user)
        if self.action == "list" and self.include_deleted():
            readable = readable | self.model.objects.deleted_visible_to(self.request.user)
        return readable

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update") and self.write_serializer_class:
            return self.write_serializer_class
        return self.serializer_class

    def presenter(self):
        return self.presenter_class(RowContext.for_request(self.request))

    def include_deleted(self):
        """Whether a sync asked for tombstones of deleted records (`?include_deleted=true`)."""
        try:
            return bool(StrictBooleanField(required=False).clean(self.request.query_params.get("include_deleted")))
        except FormValidationError as error:
            raise ValidationError({"include_deleted": error.messages})

    def list(self, request, *args, **kwargs):
        """Queries: none when the response is cached; else the page's rows, then the
        presenter's fixed few (links and citations in one, embeds)."""
        if self.cached is not None:
            return self.cached
        ordering = parse_ordering(request, self)
        if request.accepted_renderer.format == "csv":
            return self.export(ordering)
        queryset = self.filter_queryset(self.get_queryset())
        presenter = self.presenter()
        rows, next_link = self.paginator.page(presenter.values(queryset), request, ordering)
        data = {"next": next_link, "results": presenter.present(rows)}
        if self.cache is None:
            return Response(data)  # the browsable API
        return self.cache.respond(data, presenter.last_modified(rows))

    def export(self, ordering):
        """Stream every matching row as CSV; anonymous readers up to API_ANON_EXPORT_ROWS."""
        request = self.request
        # Validate the page size even though CSV ignores it, so bad input is never silent.
        self.paginator.get_page_size(request)
        queryset = self.filter_queryset(self.get_queryset())
        cap = settings.API_ANON_EXPORT_ROWS
        if not request.user.is_authenticated and queryset.count() > cap:
            dump = settings.BULK_DUMP_URL or request.build_absolute_uri(reverse("timeline:about") + "#bulk-data")
            raise ValidationError({"format": [
                f"An anonymous CSV export stops at {cap:,} rows and this one has more: narrow the filters, "
                f"use an API token, or download the whole database from the bulk dump: {dump}"]})
        lines = csv_lines(all_rows(self.presenter(), queryset, ordering, self.paginator))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.basename_plural}.csv"'
        return response

    @property
    def basename_plural(self):
        return self.presenter_class.route.split(":")[1].rsplit("-", 1)[0]

    def retrieve(self, request, *args, **kwargs):
        """Queries: none when cached; else the row, then the presenter's fixed few; one more to
        tell 410 from 404."""
        if self.cached is not None:
            return self.cached
        key = kwargs[self.lookup_field]
        presenter = self.presenter()
        rows = list(presenter.values(self.get_queryset().filter(**{self.lookup_field: key}))[:1])
        if not rows:
            self.raise_missing(key)
        item = presenter.present(rows)[0]
        if self.cache is None:
            return Response(item)
        return self.cache.respond(item, presenter.last_modified(rows), allow_if_modified_since=True)

    def raise_missing(self, key):
        """Raise 410 for a deleted record the reader could once see, else 404."""
        if self.model.objects.deleted_visible_to(self.request.user).filter(**{self.lookup_field: key}).exists():
            raise Gone(detail=f"This {self.model._meta.verbose_name} was deleted.")
        raise NotFound(f"No {self.model._meta.verbose_name} with {self.lookup_field} {key!r}.")


class EditableResourceViewSet(ResourceViewSet):
    """A resource curators with tokens may also create and edit (DjangoModelPermissions)."""

    def written_rows(self):
        """The queryset a written record is presented from (a resource may annotate it)."""
        return self.model.objects.all()

    def respond_with(self, instance, status_code):
        presenter = self.presenter()
        rows = list(presenter.values(self.written_rows().filter(pk=instance.pk)))
        return json_response(self.request, dump_json(presenter.present(rows)[0]), rows[0]["modified_at"],
                             status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.write_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = serializer.save_with_history(request.user)
        return self.respond_with(instance, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        key = kwargs[self.lookup_field]
        with transaction.atomic():
            # The row lock makes check-then-save atomic: two editors holding the same version
            # cannot both succeed; the second sees the new version and gets 409.
            instance = self.model.objects.select_for_update().filter(**{self.lookup_field: key}).first()
            if instance is None:
                raise NotFound(f"No {self.model._meta.verbose_name} with {self.lookup_field} {key!r}.")
            if instance.deleted_at is not None:
                raise Gone(detail=f"This {self.model._meta.verbose_name} was deleted.")
            try:
                self.check_version(request.data, instance)
            except StaleVersion as stale:
                return Response({
                    "detail": f"This record is at version {stale.current}; you edited version {stale.sent}. "
                              "Fetch it again, reapply your change and send the new version.",
                    "current_version": stale.current,
                }, status=status.HTTP_409_CONFLICT)
            serializer = self.write_serializer_class(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            instance = serializer.save_with_history(request.user)
        return self.respond_with(instance, status.HTTP_200_OK)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @staticmethod
    def check_version(data, instance):
        sent = data.get("version") if hasattr(data, "get") else None
        if sent is None or sent == "":
            raise ValidationError({"version": [
                f"Send the version you read (the record is at version {instance.version}) so that "
                "concurrent edits are not lost."]})
        try:
            sent = int(sent)
        except (TypeError, ValueError):
            raise ValidationError({"version": ["Must be a whole number."]})
        if sent != instance.version:
            raise StaleVersion(instance.version, sent)


ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad input; keys name the parameters."),
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="No valid credentials: writing needs a curator's token."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="This user may not make this change."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such record."),
}
UNKNOWN_FORMAT = OpenApiResponse(OpenApiTypes.OBJECT, description="No such `format` (json or csv).")
FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "csv"],
    description="csv: every matching row (not one page) as a streamed CSV download.",
)


def document(viewset):
    """Describe a resource viewset's operations for the OpenAPI schema."""
    read, write = viewset.serializer_class, viewset.write_serializer_class
    gone = OpenApiResponse(OpenApiTypes.OBJECT, description="The record was deleted.")
    conflict = OpenApiResponse(OpenApiTypes.OBJECT, description="Stale `version`: the record changed.")
    name = viewset.model._meta.verbose_name_plural
    views = {
        "list": extend_schema(summary=f"List {name}", parameters=[FORMAT_PARAMETER], responses={
            (200, "application/json"): read(many=True), (200, "text/csv"): OpenApiTypes.STR, 400: ERRORS[400],
            404: UNKNOWN_FORMAT}),
        "retrieve": extend_schema(summary=f"One of the {name}",
                                  responses={200: read, 404: ERRORS[404], 410: gone}),
    }
    if write is not None and hasattr(viewset, "create"):
        refused = {400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]}
        views.update({
            "create": extend_schema(summary=f"Create one of the {name} (curators)", request=write,
                                    responses={201: read, **refused, 404: UNKNOWN_FORMAT}),
            "update": extend_schema(summary=f"Replace one of the {name} (curators)", request=write,
                                    responses={200: read, **refused, 404: ERRORS[404], 409: conflict, 410: gone}),
            "partial_update": extend_schema(summary=f"Edit one of the {name} (curators)", request=write,
                                            responses={200: read, **refused, 404: ERRORS[404], 409: conflict,
                                                       410: gone}),
        })
    return extend_schema_view(**views)(viewset)
