"""Events: what happened, when (with precision), to which programs, agencies and people."""
from rest_framework import serializers

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import (
    CuratedWriteSerializer, SluggedSchema, cited_fields, curated_fields, dated_fields, schema, slug_field, slug_list,
    writable_citations,
)
from timeline.models import Agency, Contract, Event, EventKind, Organization, Person, Program


class EventPresenter(Presenter):
    model = Event
    route = "api:event-detail"
    web_route = "timeline:event"
    fields = ("title", "kind", "summary")
    dated = ("date",)
    foreign = {"contract": "contract"}
    many = {"programs": "programs", "agencies": "agencies", "organizations": "organizations", "people": "people"}


EventSchema = schema(
    "Event", SluggedSchema,
    {"title": serializers.CharField(), "kind": serializers.ChoiceField(choices=EventKind.choices),
     "summary": serializers.CharField(allow_blank=True)},
    dated_fields(),
    {"contract": serializers.SlugField(allow_null=True, help_text="The contract this event concerns."),
     "programs": slug_list(Program, "Slugs of the programs involved."),
     "agencies": slug_list(Agency, "Slugs of the agencies involved."),
     "organizations": slug_list(Organization, "Slugs of the organizations involved."),
     "people": slug_list(Person, "Slugs of the people involved.")},
    curated_fields(), cited_fields(),
)


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
