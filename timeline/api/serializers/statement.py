"""Statements: verbatim quotes with their speaker, agency and occasion."""

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import CuratedWriteSerializer, describe, slug_field, writable_citations
from timeline.models import Agency, Event, Person, Program, Statement


class StatementPresenter(Presenter):
    model = Statement
    route = "api:statement-detail"
    web_route = "timeline:statement"
    fields = ("quote", "context", "medium")
    dated = ("date",)
    foreign = {"speaker": "speaker", "agency": "agency", "event": "event", "program": "program"}


StatementSchema = describe(StatementPresenter)


class StatementWriteSerializer(CuratedWriteSerializer):
    citations = writable_citations()
    speaker = slug_field(Person, required=True)
    agency = slug_field(Agency)
    event = slug_field(Event)
    program = slug_field(Program)

    class Meta:
        model = Statement
        fields = ["slug", "quote", "speaker", "agency", "event", "program", "date", "date_precision", "context",
                  "medium", "citations", "state", "version"]
