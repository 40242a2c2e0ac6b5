"""Sources: the documents every fact cites."""
from rest_framework import serializers

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import CuratedWriteSerializer, RecordSchema, curated_fields, schema
from timeline.models import Source


class SourcePresenter(Presenter):
    model = Source
    route = "api:source-detail"
    web_route = "timeline:source"
    lookup = "pk"
    cited = False
    fields = (("document_url", "url"), "outlet", "headline", "author", "published", "kind", "archived_url", "notes")


SourceSchema = schema(
    "Source", RecordSchema,
    {"document_url": serializers.URLField(allow_null=True, help_text="The document's canonical address, when known."),
     "outlet": serializers.CharField(allow_blank=True), "headline": serializers.CharField(allow_blank=True),
     "author": serializers.CharField(allow_blank=True), "published": serializers.DateField(allow_null=True),
     "kind": serializers.ChoiceField(choices=Source.Kind.choices),
     "archived_url": serializers.CharField(allow_blank=True), "notes": serializers.CharField(allow_blank=True)},
    curated_fields(),
)


class SourceWriteSerializer(CuratedWriteSerializer):
    class Meta:
        model = Source
        fields = ["url", "outlet", "headline", "author", "published", "kind", "archived_url", "notes", "state",
                  "version"]
