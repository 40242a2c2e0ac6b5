"""Safe curation in the admin: no lost updates, no hard deletes.

- VersionedForm carries the version the curator loaded in a hidden field; saving it when the
  record has moved on is refused with a clear form error (timeline.concurrency).
- CurationSafetyMixin makes deletion soft (deleted_at, an attributed history entry), hides deleted
  records behind a "deleted" filter, and gives Editors a "restore" action (itself an attributed
  history entry).
- SoftDeleteInlineMixin does the same for curated records edited inline.
"""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.utils.text import capfirst

from timeline.concurrency import VersionConflict, check_version


class VersionedForm(forms.ModelForm):
    """A curated record's admin form, refusing a save based on an outdated version."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # The stored version, not the instance's: a history "revert" form is built from an
            # old version of the record, yet must be checked against the current one.
            stored = type(self.instance)._base_manager.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            self.initial["expected_version"] = stored

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.instance._state.adding:
            return cleaned
        expected = cleaned.get("expected_version")
        if expected is None:
            raise ValidationError(
                "This form did not say which version of the record it edits (it may come from a "
                "page opened before an update). Reload the record and make your edit again.",
                code="missing_version",
            )
        try:
            # Locks the row until the admin's transaction commits the save.
            check_version(self.instance, expected)
        except VersionConflict as conflict:
            raise ValidationError(str(conflict.detail), code="conflict") from None
        return cleaned


class DeletedFilter(admin.SimpleListFilter):
    """Show live records by default; deleted ones (to restore them) or all on request."""

    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Not deleted"), ("yes", "Deleted"), ("all", "All")]

    def queryset(self, request, queryset):
        value = self.value() or "no"
        if value == "no":
            return queryset.filter(deleted_at__isnull=True)
        if value == "yes":
            return queryset.filter(deleted_at__isnull=False)
        return queryset

    def choices(self, changelist):
        current = self.value() or "no"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class CurationSafetyMixin:
    """For the ModelAdmin of every curated model (see the module docstring)."""

    form = VersionedForm

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), DeletedFilter]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Autocomplete widgets offer only live records to link to.
        if getattr(request.resolver_match, "url_name", "") == "autocomplete":
            queryset = queryset.filter(deleted_at__isnull=True)
        return queryset, may_have_duplicates

    def get_deleted_objects(self, objs, request):
        # Nothing cascades and nothing is protected: the record is only marked deleted.
        perms_needed = set() if self.has_delete_permission(request) else {self.opts.verbose_name}
        names = [f"{capfirst(self.opts.verbose_name)}: {obj} (kept, and restorable by an editor)" for obj in objs]
        return names, {self.opts.verbose_name_plural: len(names)}, perms_needed, []

    def delete_model(self, request, obj):
        obj.soft_delete(reason="Deleted in the admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            obj.soft_delete(reason="Deleted in the admin")

    @admin.action(description="Restore the selected deleted records", permissions=["delete"])
    def restore(self, request, queryset):
        restored = 0
        for obj in queryset.filter(deleted_at__isnull=False):
            obj.restore(reason="Restored in the admin")
            self.log_change(request, obj, "Restored")
            restored += 1
        self.message_user(request, f"{restored} record(s) restored.", messages.SUCCESS)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # In one transaction, like the change form, so the version check's lock lasts until
        # the revert is saved.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)


class _SoftDeleteFormSetMixin:
    def delete_existing(self, obj, commit=True):
        if commit:
            obj.soft_delete(reason="Deleted in the admin")


class SoftDeleteInlineMixin:
    """For inlines of curated models: deleting a row marks it deleted; deleted rows are hidden."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(deleted_at__isnull=True)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (_SoftDeleteFormSetMixin, formset), {})
