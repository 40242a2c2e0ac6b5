"""/api/v1/programs/: read for everyone, create and edit for curators."""
from timeline.api.filters import ProgramFilterSet
from timeline.api.serializers.program import ProgramPresenter, ProgramSchema, ProgramWriteSerializer
from timeline.api.views.base import EditableResourceViewSet, document
from timeline.models import Program


@document
class ProgramViewSet(EditableResourceViewSet):
    model = Program
    queryset = Program.objects.none()  # for the permission class; get_queryset scopes by reader
    presenter_class = ProgramPresenter
    serializer_class = ProgramSchema
    write_serializer_class = ProgramWriteSerializer
    filterset_class = ProgramFilterSet
    ordering_fields = ("name", "modified_at", "created_at")
    default_ordering = "name"
