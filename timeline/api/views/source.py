"""/api/v1/sources/: the documents cited; identified by id (sources have no slug)."""
from timeline.api.filters import SourceFilterSet
from timeline.api.serializers.source import SourcePresenter, SourceSchema, SourceWriteSerializer
from timeline.api.views.base import EditableResourceViewSet, document
from timeline.models import Source


@document
class SourceViewSet(EditableResourceViewSet):
    model = Source
    queryset = Source.objects.none()  # for the permission class; get_queryset scopes by reader
    presenter_class = SourcePresenter
    serializer_class = SourceSchema
    write_serializer_class = SourceWriteSerializer
    filterset_class = SourceFilterSet
    ordering_fields = ("published", "modified_at", "created_at")
    default_ordering = "-published"
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]{1,18}"
