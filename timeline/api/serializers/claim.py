"""Claims: one source's value for one fact; claims that disagree are marked `in_conflict`."""
from collections import defaultdict

from rest_framework import serializers

from timeline.api.presenting import Presenter, citation
from timeline.api.serializers.common import CitationSchema, CuratedWriteSerializer, describe
from timeline.models import Agency, Claim, Contract, Event, Organization, Person, Program, Source, Statement

# Claim subjects the API can point at: content type model name -> (model, API route).
SUBJECTS = {
    "agency": (Agency, "api:agency-detail"),
    "organization": (Organization, "api:organization-detail"),
    "person": (Person, "api:person-detail"),
    "program": (Program, "api:program-detail"),
    "event": (Event, "api:event-detail"),
    "contract": (Contract, "api:contract-detail"),
    "statement": (Statement, "api:statement-detail"),
}


class SubjectSchema(serializers.Serializer):
    type = serializers.CharField(help_text="What the claim is about: 'contract', 'program', 'event'...")
    id = serializers.IntegerField()
    slug = serializers.SlugField(allow_null=True)
    url = serializers.URLField(allow_null=True, help_text="The subject in this API, when visible.")


class ClaimPresenter(Presenter):
    model = Claim  # its querysets come annotated by Claim.objects.with_conflicts()
    route = "api:claim-detail"
    lookup = "pk"
    cited = False
    fields = ("fact", "fact_label", "value", "quote", "note", "in_conflict")
    schema_fields = {
        "in_conflict": serializers.BooleanField(help_text="Another claim you may see on the same fact gives another value."),
        "subject": SubjectSchema(),
        "citations": CitationSchema(many=True, help_text="The source that makes the claim."),
    }

    def value_names(self):
        return [*super().value_names(), "content_type__model", "object_id", "source_id", "source__url",
                "source__outlet", "source__headline", "source__published", "source__kind", "source__state",
                "source__deleted_at"]

    def extra(self, rows):
        """Resolve each subject's slug, one query per kind of subject on the page (at most seven)."""
        wanted = defaultdict(set)
        for r in rows:
            wanted[r["content_type__model"]].add(r["object_id"])
        slugs = {}
        for kind, ids in sorted(wanted.items()):
            if kind not in SUBJECTS:
                continue
            model = SUBJECTS[kind][0]
            for pk, slug in model.objects.filter(self.ctx.visible(), pk__in=ids).values_list("pk", "slug"):
                slugs[kind, pk] = slug
        return slugs

    def decorate(self, item, row, extra):
        kind, object_id = row["content_type__model"], row["object_id"]
        slug = extra.get((kind, object_id))
        item["subject"] = {
            "type": kind, "id": object_id, "slug": slug,
            "url": self.ctx.url(SUBJECTS[kind][1], slug) if kind in SUBJECTS and slug else None,
        }
        item["citations"] = [citation(
            self.ctx, row["source_id"], row["source__url"], row["source__outlet"], row["source__headline"],
            row["source__published"], row["source__kind"], locator="", note=row["quote"],
        )] if self.ctx.can_see(row["source__state"], row["source__deleted_at"]) else []


ClaimSchema = describe(ClaimPresenter)


class SubjectField(serializers.Serializer):
    """Write side of `subject`: {"type": "contract", "slug": "..."} names a live record."""

    type = serializers.ChoiceField(choices=sorted(SUBJECTS), help_text="The kind of record the claim is about.")
    slug = serializers.SlugField(help_text="That record's slug.")

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        model = SUBJECTS[value["type"]][0]
        record = model.objects.alive().filter(slug=value["slug"]).first()
        if record is None:
            raise serializers.ValidationError({"slug": [f"No {value['type']} with slug {value['slug']!r}."]})
        return record


class ClaimWriteSerializer(CuratedWriteSerializer):
    subject = SubjectField(help_text="The record the claim is about.")
    source = serializers.PrimaryKeyRelatedField(queryset=Source.objects.alive(),
                                                help_text="The id of the source that makes the claim.")

    class Meta:
        model = Claim
        fields = ["subject", "fact", "fact_label", "value", "source", "quote", "note", "state", "version"]
