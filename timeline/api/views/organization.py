"""/api/v1/organizations/: read for everyone, create and edit for curators."""
from timeline.api.filters import OrganizationFilterSet
from timeline.api.serializers.organization import OrganizationPresenter, OrganizationSchema, OrganizationWriteSerializer
from timeline.api.views.base import EditableResourceViewSet, document
from timeline.models import Organization


@document
class OrganizationViewSet(EditableResourceViewSet):
    model = Organization
    queryset = Organization.objects.none()  # for the permission class; get_queryset scopes by reader
    presenter_class = OrganizationPresenter
    serializer_class = OrganizationSchema
    write_serializer_class = OrganizationWriteSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ("name", "modified_at", "created_at")
    default_ordering = "name"
