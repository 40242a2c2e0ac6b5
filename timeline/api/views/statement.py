"""/api/v1/statements/: read for everyone, create and edit for curators."""
from timeline.api.filters import StatementFilterSet
from timeline.api.serializers.statement import StatementPresenter, StatementSchema, StatementWriteSerializer
from timeline.api.views.base import EditableResourceViewSet, document
from timeline.models import Statement


@document
class StatementViewSet(EditableResourceViewSet):
    model = Statement
    queryset = Statement.objects.none()  # for the permission class; get_queryset scopes by reader
    presenter_class = StatementPresenter
    serializer_class = StatementSchema
    write_serializer_class = StatementWriteSerializer
    filterset_class = StatementFilterSet
    ordering_fields = ("date", "modified_at", "created_at")
    default_ordering = "-date"
