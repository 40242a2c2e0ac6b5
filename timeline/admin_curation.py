"""Safe curation in the admin: no lost updates, no hard deletes.

- VersionedForm carries the version the curator loaded in a hidden field; saving it when the
  record has moved on is refused with a clear form error (timeline.concurrency). Inline rows of
  curated records carry and check theirs too: a stale row that the curator changed (or marks for
  deletion) is refused, so it cannot overwrite a newer edit made elsewhere.
- Reverting to a version from the history page keeps the record's deletion state unless the
  user may delete (and so restore), numbers the result after the current version (versions only
  grow, so a client holding an old number cannot pass the version check) and records why.
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
    # A record's own form is checked even when unchanged (its save is a new version anyway).
    check_untouched = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # The stored version, not the instance's: a history "revert" form is built from an
            # old version of the record, yet must be checked against the current one.
            stored = type(self.instance)._base_manager.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            self.initial["expected_version"] = stored

    @property
    def changed_data(self):
        # The version is bookkeeping: a row whose fields are untouched has not changed (an
        # inline formset saves only changed rows).
        return [name for name in super().changed_data if name != "expected_version"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.instance._state.adding:
            return cleaned
        if not self.check_untouched and not self.has_changed() and not cleaned.get("DELETE"):
            return cleaned  # an untouched inline row is not saved, so it overwrites nothing
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


class InlineVersionedForm(VersionedForm):
    """An inline row's form: checked when the row is changed or deleted (only those are saved)."""

    check_untouched = False


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
        request.reverting_history = True
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if change and getattr(request, "reverting_history", False):
            self.prepare_revert(request, obj)
        super().save_model(request, obj, form, change)

    def prepare_revert(self, request, obj):
        """Make a record rebuilt from an old version safe to save over the current one.

        The old version brings its own version number and deletion state. The number is set to
        the current one (save() adds one). The deletion state changes only for a user who may
        delete, since restoring a record is the Editors' decision. Hits the database (one query).
        """
        current = type(obj)._base_manager.filter(pk=obj.pk).values("version", "deleted_at").get()
        reverted_to = obj.version
        obj.version = current["version"]
        reason = f"Reverted to version {reverted_to}"
        deletion_changes = (obj.deleted_at is None) != (current["deleted_at"] is None)
        if deletion_changes and not self.has_delete_permission(request, obj):
            obj.deleted_at = current["deleted_at"]
            state = "deleted" if obj.deleted_at else "live"
            self.message_user(request, f"The record stays {state}: only Editors may delete or restore records.",
                              messages.WARNING)
        elif deletion_changes:
            reason += ", restored" if obj.deleted_at is None else ", deleted"
        obj._change_reason = reason


class _SoftDeleteFormSetMixin:
    def delete_existing(self, obj, commit=True):
        if commit:
            obj.soft_delete(reason="Deleted in the admin")


class SoftDeleteInlineMixin:
    """For inlines of curated models: each row carries and checks its version; deleting a row
    marks it deleted; deleted rows are hidden."""

    form = InlineVersionedForm

    def get_queryset(self, request):
        return super().get_queryset(request).filter(deleted_at__isnull=True)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (_SoftDeleteFormSetMixin, formset), {})
