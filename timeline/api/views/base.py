"""The viewset every resource shares: fast lists and details, CSV, caching, 410 and 409.

Reads build rows with the resource's Presenter (`.values()` queries, no model instances);
writes go through the resource's write serializer, the model's full_clean and a row lock that
turns a stale `version` into 409 Conflict.
"""
from django.db import transaction
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from timeline.api import database_json
from timeline.api.caching import conditional_body, conditional_json, dump_json
from timeline.api.filters import FilterBackend
from timeline.api.csv_export import all_rows, csv_lines
from timeline.api.paging import KeysetPagination, OrderingBackend
from timeline.api.presenting import RowContext
from timeline.api.renderers import CSVRenderer
from timeline.models import State


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This record was deleted."
    default_code = "gone"


class StaleVersion(Exception):
    """An edit based on an older version than the stored one."""

    def __init__(self, current, sent):
        super().__init__(current, sent)
        self.current, self.sent = current, sent


class ResourceViewSet(GenericViewSet):
    """List and retrieve one resource. Subclasses set:

    model, presenter_class, serializer_class (the response schema), write_serializer_class,
    filterset_class, ordering_fields, default_ordering, lookup_field ("slug" or "pk").
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
    renderer_classes = [JSONRenderer, CSVRenderer]

    def get_queryset(self):
        """Records this reader may see: published and live for the public, live for staff."""
        return self.model.objects.visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update") and self.write_serializer_class:
            return self.write_serializer_class
        return self.serializer_class

    def presenter(self):
        return self.presenter_class(RowContext.for_request(self.request))

    def list(self, request, *args, **kwargs):
        """Queries: one when the database can write the rows (timeline.api.database_json: events,
        statements, sources); otherwise the page's rows, then the presenter's fixed few (links and
        citations in one, embeds)."""
        readable = self.get_queryset()
        queryset = self.filter_queryset(readable)
        ordering = request.api_ordering
        presenter = self.presenter()
        if request.accepted_renderer.format == "csv":
            # Validate the page size even though CSV ignores it, so bad input is never silent.
            self.paginator.get_page_size(request)
            lines = csv_lines(all_rows(presenter, queryset, ordering, self.paginator))
            response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{self.basename_plural}.csv"'
            return response
        if presenter.builds_json_in_database():
            # One query: the database writes each row's JSON; Python only joins the page.
            shape = self.page_shape(readable, queryset, presenter, ordering)
            rows, next_link = self.paginator.page(
                queryset, request, ordering,
                fetch=lambda page, after: presenter.json_page(page, ordering, shape and (shape + (page.query.high_mark,), after)))
            body = b'{"next":%s,"results":[%s]}' % (dump_json(next_link), ",".join(r["row_json"] for r in rows).encode())
            return conditional_body(request, body, database_json.last_modified(self.model, rows))
        rows, next_link = self.paginator.page(presenter.values(queryset), request, ordering)
        data = {"next": next_link, "results": presenter.present(rows)}
        return conditional_json(request, data, presenter.last_modified(rows))

    def page_shape(self, readable, queryset, presenter, ordering):
        """Return what decides the SQL of this list's page query apart from the page size and
        the cursor's values, or None when that is not known here: for a queryset no filter
        changed, from this class's get_queryset (it reads only whether the reader is staff)."""
        if queryset is not readable or type(self).get_queryset is not ResourceViewSet.get_queryset:
            return None
        return (type(self), presenter.ctx.staff, ordering.field, ordering.descending)

    @property
    def basename_plural(self):
        return self.presenter_class.route.split(":")[1].rsplit("-", 1)[0]

    def retrieve(self, request, *args, **kwargs):
        """Queries: the row, then the presenter's fixed few; one more to tell 410 from 404."""
        key = kwargs[self.lookup_field]
        presenter = self.presenter()
        rows = list(presenter.values(self.get_queryset().filter(**{self.lookup_field: key}))[:1])
        if not rows:
            self.raise_missing(key)
        item = presenter.present(rows)[0]
        return conditional_json(request, item, presenter.last_modified(rows), allow_if_modified_since=True)

    def raise_missing(self, key):
        """Raise 410 for a deleted record the reader could once see, else 404."""
        deleted = self.model.objects.filter(**{self.lookup_field: key}, deleted_at__isnull=False)
        if not (self.request.user.is_authenticated and self.request.user.is_staff):
            deleted = deleted.filter(state=State.PUBLISHED)
        if deleted.exists():
            raise Gone(f"This {self.model._meta.verbose_name} was deleted.")
        raise NotFound(f"No {self.model._meta.verbose_name} with {self.lookup_field} {key!r}.")



class EditableResourceViewSet(ResourceViewSet):
    """A resource curators with tokens may also create and edit (DjangoModelPermissions)."""

    def written_rows(self):
        """The queryset a written record is presented from (a resource may annotate it)."""
        return self.model.objects.all()

    def respond_with(self, instance, status_code):
        presenter = self.presenter()
        rows = list(presenter.values(self.written_rows().filter(pk=instance.pk)))
        return conditional_json(self.request, presenter.present(rows)[0], rows[0]["modified_at"], status=status_code)

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
                raise Gone(f"This {self.model._meta.verbose_name} was deleted.")
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
