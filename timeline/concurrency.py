"""Optimistic concurrency for curated records: a save must name the version it was based on.

Two curators open version 4 of an event; the first saves (version 5); the second's save names
version 4 and is refused with VersionConflict instead of silently overwriting the first edit.
The admin (timeline.admin_curation.VersionedForm) and the API (409 Conflict: VersionConflict is
a DRF APIException) share check_version().

Usage in an API update:

    with transaction.atomic():
        check_version(instance, serializer.validated_data.pop("version"))
        serializer.save()
"""
from django.db import router, transaction
from rest_framework.exceptions import APIException


class VersionConflict(APIException):
    status_code = 409
    default_code = "conflict"
    default_detail = "This record was changed by someone else since you loaded it."

    def __init__(self, instance, expected, current, changed_by=None, changed_at=None):
        self.instance, self.expected, self.current = instance, expected, current
        self.changed_by, self.changed_at = changed_by, changed_at
        if current is None:
            detail = f"This {instance._meta.verbose_name} no longer exists."
        else:
            who = f" by {changed_by}" if changed_by else ""
            when = f" at {changed_at:%Y-%m-%d %H:%M} UTC" if changed_at else ""
            detail = (
                f"This {instance._meta.verbose_name} was changed{who}{when} after you loaded it: "
                f"you edited version {expected}, it is now version {current}. Your changes were "
                f"not saved. Reload it to see the current version, then make your edit again."
            )
        super().__init__(detail)


def _last_change(instance, version):
    history = getattr(type(instance), "history", None)
    if history is None:
        return None, None
    entry = (history.filter(id=instance.pk, version=version).select_related("history_user")
             .order_by("-history_date").first())
    if entry is None:
        return None, None
    return entry.history_user, entry.history_date


def check_version(instance, expected_version):
    """Raise VersionConflict unless the stored version of `instance` is `expected_version`.

    Inside a transaction the row is locked (SELECT ... FOR UPDATE) until the transaction ends,
    so no other save can slip in between this check and the caller's save. Hits the database
    (one query; two more to name who changed it when there is a conflict).
    """
    using = router.db_for_write(type(instance), instance=instance)
    queryset = type(instance)._base_manager.using(using).filter(pk=instance.pk)
    if transaction.get_connection(using).in_atomic_block:
        queryset = queryset.select_for_update()
    current = queryset.values_list("version", flat=True).first()
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        expected = None
    if current is None or current != expected:
        changed_by, changed_at = _last_change(instance, current) if current is not None else (None, None)
        raise VersionConflict(instance, expected_version, current, changed_by, changed_at)
    return current


def save_if_current(instance, expected_version, **save_kwargs):
    """Check the version and save in one transaction; return the new version."""
    using = router.db_for_write(type(instance), instance=instance)
    with transaction.atomic(using=using):
        check_version(instance, expected_version)
        instance.save(**save_kwargs)
    return instance.version
