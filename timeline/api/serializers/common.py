"""Pieces every resource's serializers share: citation and curation fields, and writes that
validate exactly like the admin (the model's full_clean) and refuse stale versions."""
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from timeline.dates import Precision
from timeline.models import Source, State


class CitationSchema(serializers.Serializer):
    source = serializers.IntegerField(help_text="The cited source's id.")
    source_url = serializers.URLField(help_text="The cited source in this API.")
    url = serializers.URLField(allow_null=True, help_text="The document's own address, when known.")
    outlet = serializers.CharField(allow_blank=True)
    headline = serializers.CharField(allow_blank=True)
    published = serializers.DateField(allow_null=True)
    kind = serializers.ChoiceField(choices=Source.Kind.choices)
    locator = serializers.CharField(allow_blank=True, help_text="Page, paragraph or timestamp in the source.")
    note = serializers.CharField(allow_blank=True)


class RecordSchema(serializers.Serializer):
    """Fields every record starts with: id, addresses."""

    id = serializers.IntegerField()
    url = serializers.URLField(help_text="This record in the API (absolute).")
    web_url = serializers.URLField(allow_null=True, help_text="This record's public page (absolute), if it has one.")


class SluggedSchema(RecordSchema):
    slug = serializers.SlugField(help_text="Stable identifier; never changes once chosen.")


def curated_fields():
    """The fields every curated record ends with (fresh instances for each serializer)."""
    return {
        "state": serializers.ChoiceField(choices=State.choices),
        "created_at": serializers.DateTimeField(),
        "modified_at": serializers.DateTimeField(),
        "version": serializers.IntegerField(help_text="Grows with each save; send it back when editing."),
    }


def cited_fields():
    return {"citations": CitationSchema(many=True, help_text="The sources behind this record.")}


def dated_fields(group="date"):
    out = {
        group: serializers.DateField(allow_null=True, help_text="First day of the period for month or year precision."),
        f"{group}_precision": serializers.ChoiceField(choices=Precision.choices),
    }
    if group == "date":
        out["date_end"] = serializers.DateField(allow_null=True, help_text="Last day of the period.")
        out["date_display"] = serializers.CharField(help_text="The date as people write it: 'April 2025'.")
    return out


def schema(name, base, *groups, **fields):
    """Build a response-schema serializer class from groups of fields, in order."""
    attrs = {}
    for group in groups:
        attrs.update(group)
    attrs.update(fields)
    return type(name, (base,), attrs)


def slug_list(model, help_text):
    return serializers.ListField(child=serializers.SlugField(), help_text=help_text)


class CuratedWriteSerializer(serializers.ModelSerializer):
    """Create and edit records as the admin does: the model's full_clean decides what is valid.

    Updates must send the `version` they read; the view compares it under a row lock.
    """

    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="Required when editing: the version you read.")

    def build_instance(self, validated):
        """Return an unsaved instance with the validated scalar fields applied (no many-to-many)."""
        instance = self.instance or self.Meta.model()
        for name, value in validated.items():
            if name == "version":
                continue
            field = self.Meta.model._meta.get_field(name)
            if field.many_to_many:
                continue
            setattr(instance, name, value)
        return instance

    def full_clean(self, instance):
        """Run the model's own validation; its errors become a 400 keyed by field."""
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                detail = {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
            else:
                detail = {"non_field_errors": error.messages}
            raise serializers.ValidationError(detail)

    def save_with_history(self, user):
        """Validate the whole record, save it and its links, recording `user` in its history."""
        validated = dict(self.validated_data)
        instance = self.build_instance(validated)
        self.full_clean(instance)
        instance._history_user = user
        instance.save()
        for name, value in validated.items():
            if self.Meta.model._meta.get_field(name).many_to_many if name != "version" else False:
                getattr(instance, name).set(value)
        self.instance = instance
        return instance


def slug_field(model, many=False, required=False):
    return serializers.SlugRelatedField(
        slug_field="slug", queryset=model.objects.alive(), many=many, required=required,
        allow_null=not many, **({"allow_empty": True} if many else {}),
    )
