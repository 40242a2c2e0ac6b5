"""/api/v1/agencies/: read for everyone, create and edit for curators."""
from timeline.api.filters import AgencyFilterSet
from timeline.api.serializers.agency import AgencyPresenter, AgencySchema, AgencyWriteSerializer
from timeline.api.views.base import EditableResourceViewSet, document
from timeline.models import Agency


@document
class AgencyViewSet(EditableResourceViewSet):
    model = Agency
    queryset = Agency.objects.none()  # for the permission class; get_queryset scopes by reader
    presenter_class = AgencyPresenter
    serializer_class = AgencySchema
    write_serializer_class = AgencyWriteSerializer
    filterset_class = AgencyFilterSet
    ordering_fields = ("name", "modified_at", "created_at")
    default_ordering = "name"
