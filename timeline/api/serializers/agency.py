"""Agencies, with their parent (CBP and ICE sit under DHS)."""

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import (
    CuratedWriteSerializer, aliases_field, describe, slug_field, writable_citations,
)
from timeline.models import Agency, split_aliases


class AgencyPresenter(Presenter):
    model = Agency
    route = "api:agency-detail"
    web_route = "timeline:agency"
    fields = ("name", "abbreviation", "aliases", "description", ("website", "url"))
    transforms = {"aliases": split_aliases}
    schema_fields = {"aliases": aliases_field()}
    foreign = {"parent": "parent"}


AgencySchema = describe(AgencyPresenter)


class AgencyWriteSerializer(CuratedWriteSerializer):
    citations = writable_citations()
    parent = slug_field(Agency)

    class Meta:
        model = Agency
        fields = ["slug", "name", "abbreviation", "parent", "aliases", "description", "url", "citations",
                  "state", "version"]
