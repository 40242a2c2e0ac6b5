"""/api/v1/people/: read for everyone, create and edit for curators."""
from timeline.api.filters import PersonFilterSet
from timeline.api.serializers.person import PersonPresenter, PersonSchema, PersonWriteSerializer
from timeline.api.views.base import EditableResourceViewSet, document
from timeline.models import Person


@document
class PersonViewSet(EditableResourceViewSet):
    model = Person
    queryset = Person.objects.none()  # for the permission class; get_queryset scopes by reader
    presenter_class = PersonPresenter
    serializer_class = PersonSchema
    write_serializer_class = PersonWriteSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ("name", "modified_at", "created_at")
    default_ordering = "name"
