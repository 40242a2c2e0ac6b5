"""Pieces every resource's serializers share: citation and curation fields, and writes that
validate exactly like the admin (the model's full_clean) and refuse stale versions."""
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from timeline.dates import Precision
from timeline.models import Citation, Source, State


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


def aliases_field():
    return serializers.ListField(child=serializers.CharField(), help_text="Other names reporting uses.")


INTEGER_TYPES = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "PositiveIntegerField",
                 "PositiveBigIntegerField", "SmallIntegerField", "PositiveSmallIntegerField"}


def column_schema(field):
    """Return the response field of a model column, read from the model: type, choices, blank, null, help."""
    kwargs = {"help_text": str(field.help_text)} if field.help_text else {}
    kind = field.get_internal_type()
    if field.choices:
        return serializers.ChoiceField(choices=field.choices, allow_blank=field.blank, allow_null=field.null, **kwargs)
    if kind == "DateField":
        return serializers.DateField(allow_null=field.null, **kwargs)
    if kind == "DateTimeField":
        return serializers.DateTimeField(allow_null=field.null, **kwargs)
    if kind in INTEGER_TYPES:
        return serializers.IntegerField(allow_null=field.null, **kwargs)
    if kind == "BooleanField":
        return serializers.BooleanField(**kwargs)
    return serializers.CharField(allow_blank=field.blank, allow_null=field.null, **kwargs)


def describe(presenter_class):
    """Return the response-schema serializer of a presenter's rows: the presenter says which keys a
    row has, the model what each holds, and `schema_fields` the rest (one description per resource)."""
    presenter = presenter_class(None)
    meta = presenter_class.model._meta
    given = dict(presenter_class.schema_fields)
    attrs = {}
    for name, column in presenter.columns():
        attrs[name] = given.pop(name, None) or column_schema(meta.get_field(column))
    for group in presenter_class.dated:
        attrs.update(dated_fields(group))
    for name, fk in presenter_class.foreign.items():
        target = meta.get_field(fk).related_model
        key = "slug" if hasattr(target, "slug") else "id"
        field = serializers.SlugField if key == "slug" else serializers.IntegerField
        attrs[name] = field(allow_null=True, help_text=f"The {target._meta.verbose_name}'s {key} (null when not public).")
    for name, m2m in presenter_class.many.items():
        target = meta.get_field(m2m).related_model
        attrs[name] = slug_list(target, f"Slugs of the {target._meta.verbose_name_plural} (public ones).")
    attrs.update(given)  # what decorate() adds
    if presenter_class.trailer == ("state", "created_at", "modified_at", "version"):
        attrs.update(curated_fields())
    else:
        attrs.update({name: column_schema(meta.get_field(name)) for name in presenter_class.trailer})
    if presenter_class.cited:
        attrs.update(cited_fields())
    base = SluggedSchema if presenter_class.lookup == "slug" else RecordSchema
    return type(meta.object_name, (base,), attrs)


class CitationWriteSerializer(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(queryset=Source.objects.alive(), help_text="The cited source's id.")
    locator = serializers.CharField(required=False, allow_blank=True, max_length=200, default="",
                                    help_text="Page, paragraph or timestamp in the source.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CitationsField(serializers.ListField):
    """The record's sources, written as a whole list: what is sent replaces what was cited."""

    child = CitationWriteSerializer()

    def to_internal_value(self, data):
        items = super().to_internal_value(data)
        seen = set()
        for item in items:
            if "source" not in item:  # a partial update (PATCH) skips nested required checks
                raise serializers.ValidationError("Each citation needs its source: this field is required.")
            if item["source"].pk in seen:
                raise serializers.ValidationError(f"Source {item['source'].pk} is cited twice.")
            seen.add(item["source"].pk)
        return items


def writable_citations():
    return CitationsField(
        required=False,
        help_text="The sources behind this record. When sent, the list replaces the record's citations "
                  "(removing one needs the permission to delete citations, as in the admin).")


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
        citations = validated.pop("citations", None)
        instance = self.build_instance(validated)
        self.full_clean(instance)
        instance._history_user = user
        instance.save()
        for name, value in validated.items():
            if self.Meta.model._meta.get_field(name).many_to_many if name != "version" else False:
                getattr(instance, name).set(value)
        if citations is not None:
            replace_citations(instance, citations, user)
        self.instance = instance
        return instance


def replace_citations(record, wanted, user):
    """Make `record` cite exactly `wanted` (source, locator, note), with history for each change.

    Citations kept keep their rows (and history); a changed locator or note is an edit; a source
    no longer listed is removed, which, as in the admin, needs the permission to delete citations.
    """
    content_type = ContentType.objects.get_for_model(record)
    current = {c.source_id: c for c in Citation.objects.filter(content_type=content_type, object_id=record.pk)}
    # (A partial update skips the nested defaults, so read them with .get.)
    wanted_by_source = {item["source"].pk: (item.get("locator", ""), item.get("note", "")) for item in wanted}
    removed = [c for source_id, c in current.items() if source_id not in wanted_by_source]
    if removed and not user.has_perm("timeline.delete_citation"):
        raise PermissionDenied("Removing a citation needs the permission to delete citations (editors).")
    for citation in removed:
        citation._history_user = user
        citation.delete()
    for source_id, (locator, note) in wanted_by_source.items():
        citation = current.get(source_id)
        if citation is None:
            citation = Citation(content_type=content_type, object_id=record.pk, source_id=source_id)
        elif (citation.locator, citation.note) == (locator, note):
            continue
        citation.locator, citation.note = locator, note
        citation._history_user = user
        citation.full_clean()
        citation.save()


def slug_field(model, many=False, required=False):
    return serializers.SlugRelatedField(
        slug_field="slug", queryset=model.objects.alive(), many=many, required=required,
        allow_null=not many, **({"allow_empty": True} if many else {}),
    )
