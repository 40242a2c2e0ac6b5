"""Sources: the documents every fact cites."""

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import CuratedWriteSerializer, describe
from timeline.models import Source


class SourcePresenter(Presenter):
    model = Source
    route = "api:source-detail"
    web_route = "timeline:source"
    lookup = "pk"
    cited = False
    fields = (("document_url", "url"), "outlet", "headline", "author", "published", "kind", "archived_url", "notes")


SourceSchema = describe(SourcePresenter)


class SourceWriteSerializer(CuratedWriteSerializer):
    class Meta:
        model = Source
        fields = ["url", "outlet", "headline", "author", "published", "kind", "archived_url", "notes", "state",
                  "version"]
