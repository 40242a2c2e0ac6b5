"""Programs, with their dated, sourced lifecycle (announced, pilot, operating, ended...)."""
from django.db.models import F
from rest_framework import serializers

from timeline.api.presenting import Presenter, citations_by_object, precise_date
from timeline.api.serializers.common import (
    CitationSchema, CuratedWriteSerializer, aliases_field, dated_fields, describe, slug_field,
    writable_citations,
)
from timeline.models import Agency, LifecycleTransition, Organization, Program, ProgramStatus, split_aliases


class TransitionSchema(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ProgramStatus.choices)
    date = serializers.DateField(allow_null=True)
    date_precision = dated_fields()["date_precision"]
    date_end = serializers.DateField(allow_null=True)
    date_display = serializers.CharField()
    event = serializers.SlugField(allow_null=True, help_text="The event that marks this change.")
    note = serializers.CharField(allow_blank=True)
    citations = CitationSchema(many=True)


class ProgramPresenter(Presenter):
    model = Program
    route = "api:program-detail"
    web_route = "timeline:program"
    fields = ("name", "summary", "aliases", "status")
    transforms = {"aliases": split_aliases, "status": lambda value: value or None}
    schema_fields = {
        "aliases": aliases_field(),
        "status": serializers.ChoiceField(choices=ProgramStatus.choices, allow_null=True,
                                          help_text="Current status: the latest lifecycle transition's."),
        "lifecycle": TransitionSchema(many=True, help_text="Status changes, oldest first (undated first)."),
    }
    many = {"agencies": "agencies", "vendors": "vendors"}

    def extra(self, rows):
        """Fetch the lifecycle of every program on the page and its citations (two queries)."""
        ids = [r["id"] for r in rows]
        if not ids:
            return {}
        transitions = list(
            LifecycleTransition.objects.filter(self.ctx.visible(), program_id__in=ids)
            .order_by("program_id", F("date").asc(nulls_first=True), "id")
            .values("id", "program_id", "status", "date", "date_precision", "date_end", "note",
                    "event__slug", "event__state", "event__deleted_at")
        )
        cites = citations_by_object("lifecycletransition", [t["id"] for t in transitions], self.ctx)
        lifecycle = {}
        for t in transitions:
            lifecycle.setdefault(t["program_id"], []).append({
                "id": t["id"], "status": t["status"], **precise_date(t), "event": t["event__slug"] if self.ctx.can_see(t["event__state"], t["event__deleted_at"]) else None, "note": t["note"],
                "citations": cites.get(t["id"], []),
            })
        return lifecycle

    def decorate(self, item, row, extra):
        item["lifecycle"] = extra.get(row["id"], [])


ProgramSchema = describe(ProgramPresenter)


class ProgramWriteSerializer(CuratedWriteSerializer):
    citations = writable_citations()
    agencies = slug_field(Agency, many=True)
    vendors = slug_field(Organization, many=True)

    class Meta:
        model = Program
        fields = ["slug", "name", "summary", "aliases", "agencies", "vendors", "citations", "state", "version"]
