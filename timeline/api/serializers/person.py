"""People: spokespeople, officials, executives, with their affiliation."""

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import (
    CuratedWriteSerializer, aliases_field, describe, slug_field, writable_citations,
)
from timeline.models import Agency, Organization, Person, split_aliases


class PersonPresenter(Presenter):
    model = Person
    route = "api:person-detail"
    web_route = "timeline:person"
    fields = ("name", "role", "aliases")
    transforms = {"aliases": split_aliases}
    schema_fields = {"aliases": aliases_field()}
    foreign = {"agency": "agency", "organization": "organization"}


PersonSchema = describe(PersonPresenter)


class PersonWriteSerializer(CuratedWriteSerializer):
    citations = writable_citations()
    agency = slug_field(Agency)
    organization = slug_field(Organization)

    class Meta:
        model = Person
        fields = ["slug", "name", "role", "agency", "organization", "aliases", "citations", "state", "version"]
