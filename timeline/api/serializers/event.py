"""Events: what happened, when (with precision), to which programs, agencies and people."""

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import CuratedWriteSerializer, describe, slug_field, writable_citations
from timeline.models import Agency, Contract, Event, Organization, Person, Program


class EventPresenter(Presenter):
    model = Event
    route = "api:event-detail"
    web_route = "timeline:event"
    fields = ("title", "kind", "summary")
    dated = ("date",)
    foreign = {"contract": "contract"}
    many = {"programs": "programs", "agencies": "agencies", "organizations": "organizations", "people": "people"}


EventSchema = describe(EventPresenter)


class EventWriteSerializer(CuratedWriteSerializer):
    citations = writable_citations()
    programs = slug_field(Program, many=True)
    agencies = slug_field(Agency, many=True)
    organizations = slug_field(Organization, many=True)
    people = slug_field(Person, many=True)
    contract = slug_field(Contract)

    class Meta:
        model = Event
        fields = ["slug", "title", "kind", "summary", "date", "date_precision", "programs", "agencies",
                  "organizations", "people", "contract", "citations", "state", "version"]
