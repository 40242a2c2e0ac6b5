"""Contracts: awards with their value, identifiers and period of performance."""
from rest_framework import serializers

from timeline.api.presenting import Presenter
from timeline.api.serializers.common import CuratedWriteSerializer, describe, slug_field, writable_citations
from timeline.models import Agency, Contract, Organization, Program


def decimal_text(value):
    return None if value is None else str(value)


class ContractPresenter(Presenter):
    model = Contract
    route = "api:contract-detail"
    web_route = "timeline:contract"
    fields = ("title", "value_usd", "piid", "generated_award_id", "parent_award_piid", "notes")
    transforms = {"value_usd": decimal_text}
    schema_fields = {"value_usd": serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text="The value most sources report, in US dollars.")}
    dated = ("announced", "start", "end")
    foreign = {"agency": "agency", "vendor": "vendor", "program": "program", "parent_award": "parent_award"}


ContractSchema = describe(ContractPresenter)


class ContractWriteSerializer(CuratedWriteSerializer):
    citations = writable_citations()
    agency = slug_field(Agency, required=True)
    vendor = slug_field(Organization)
    program = slug_field(Program)
    parent_award = slug_field(Contract)

    class Meta:
        model = Contract
        fields = ["slug", "title", "agency", "vendor", "program", "value_usd", "piid", "generated_award_id",
                  "parent_award", "parent_award_piid", "announced", "announced_precision", "start",
                  "start_precision", "end", "end_precision", "notes", "citations", "state", "version"]
