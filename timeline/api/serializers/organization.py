"""Organizations: vendors such as Palantir, non-profits, media."""

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import (
    CuratedWriteSerializer, aliases_field, describe, writable_citations,
)
from timeline.models import Organization, split_aliases


class OrganizationPresenter(Presenter):
    model = Organization
    route = "api:organization-detail"
    web_route = "timeline:organization"
    fields = ("name", "kind", "aliases", "description", ("website", "url"))
    transforms = {"aliases": split_aliases}
    schema_fields = {"aliases": aliases_field()}


OrganizationSchema = describe(OrganizationPresenter)


class OrganizationWriteSerializer(CuratedWriteSerializer):
    citations = writable_citations()
    class Meta:
        model = Organization
        fields = ["slug", "name", "kind", "aliases", "description", "url", "citations", "state", "version"]
