"""People: spokespeople, officials, executives, with their affiliation."""
from rest_framework import serializers

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import (
    CuratedWriteSerializer, SluggedSchema, cited_fields, curated_fields, schema, slug_field,
    writable_citations,
)
from timeline.models import Agency, Organization, Person, split_aliases


class PersonPresenter(Presenter):
    model = Person
    route = "api:person-detail"
    web_route = "timeline:person"
    fields = ("name", "role", "aliases")
    transforms = {"aliases": split_aliases}
    foreign = {"agency": "agency", "organization": "organization"}


PersonSchema = schema(
    "Person", SluggedSchema,
    {"name": serializers.CharField(), "role": serializers.CharField(allow_blank=True),
     "aliases": serializers.ListField(child=serializers.CharField(), help_text="Other names reporting uses."),
     "agency": serializers.SlugField(allow_null=True, help_text="Affiliated agency's slug."),
     "organization": serializers.SlugField(allow_null=True, help_text="Affiliated organization's slug.")},
    curated_fields(), cited_fields(),
)


class PersonWriteSerializer(CuratedWriteSerializer):
    citations = writable_citations()
    agency = slug_field(Agency)
    organization = slug_field(Organization)

    class Meta:
        model = Person
        fields = ["slug", "name", "role", "agency", "organization", "aliases", "citations", "state", "version"]
