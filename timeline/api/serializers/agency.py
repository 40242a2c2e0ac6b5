"""Agencies, with their parent (CBP and ICE sit under DHS)."""
from rest_framework import serializers

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import (
    CuratedWriteSerializer, SluggedSchema, cited_fields, curated_fields, schema, slug_field,
    writable_citations,
)
from timeline.models import Agency, split_aliases


class AgencyPresenter(Presenter):
    model = Agency
    route = "api:agency-detail"
    web_route = "timeline:agency"
    fields = ("name", "abbreviation", "aliases", "description", ("website", "url"))
    transforms = {"aliases": split_aliases}
    foreign = {"parent": "parent"}


AgencySchema = schema(
    "Agency", SluggedSchema,
    {"name": serializers.CharField(), "abbreviation": serializers.CharField(allow_blank=True),
     "aliases": serializers.ListField(child=serializers.CharField(), help_text="Other names reporting uses."),
     "description": serializers.CharField(allow_blank=True),
     "website": serializers.CharField(allow_blank=True),
     "parent": serializers.SlugField(allow_null=True, help_text="The parent agency's slug.")},
    curated_fields(), cited_fields(),
)


class AgencyWriteSerializer(CuratedWriteSerializer):
    citations = writable_citations()
    parent = slug_field(Agency)

    class Meta:
        model = Agency
        fields = ["slug", "name", "abbreviation", "parent", "aliases", "description", "url", "citations",
                  "state", "version"]
