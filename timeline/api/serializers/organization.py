"""Organizations: vendors such as Palantir, non-profits, media."""
from rest_framework import serializers

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import (
    CuratedWriteSerializer, SluggedSchema, cited_fields, curated_fields, schema, writable_citations,
)
from timeline.models import Organization, split_aliases


class OrganizationPresenter(Presenter):
    model = Organization
    route = "api:organization-detail"
    web_route = "timeline:organization"
    fields = ("name", "kind", "aliases", "description", ("website", "url"))
    transforms = {"aliases": split_aliases}


OrganizationSchema = schema(
    "Organization", SluggedSchema,
    {"name": serializers.CharField(), "kind": serializers.ChoiceField(choices=Organization.Kind.choices),
     "aliases": serializers.ListField(child=serializers.CharField(), help_text="Other names reporting uses."),
     "description": serializers.CharField(allow_blank=True), "website": serializers.CharField(allow_blank=True)},
    curated_fields(), cited_fields(),
)


class OrganizationWriteSerializer(CuratedWriteSerializer):
    citations = writable_citations()
    class Meta:
        model = Organization
        fields = ["slug", "name", "kind", "aliases", "description", "url", "citations", "state", "version"]
