"""/api/v1/events/: read for everyone, create and edit for curators."""
from timeline.api.filters import EventFilterSet
from timeline.api.serializers.event import EventPresenter, EventSchema, EventWriteSerializer
from timeline.api.views.base import EditableResourceViewSet, document
from timeline.models import Event


@document
class EventViewSet(EditableResourceViewSet):
    model = Event
    queryset = Event.objects.none()  # for the permission class; get_queryset scopes by reader
    presenter_class = EventPresenter
    serializer_class = EventSchema
    write_serializer_class = EventWriteSerializer
    filterset_class = EventFilterSet
    ordering_fields = ("date", "date_end", "modified_at", "created_at")
    default_ordering = "-date"
