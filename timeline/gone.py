"""Deleted records answer 410 Gone, on public pages and in the API alike.

Views fetch public records with get_public_or_gone(); it raises Gone for a published record that
was soft-deleted. Gone is a DRF APIException (status 410), so API views answer it as JSON on
their own; for plain Django views GoneMiddleware renders the friendly 410 page.
"""
from django.db.models import Exists, Model, OuterRef
from django.http import Http404
from rest_framework.exceptions import APIException

from timeline import versions
from timeline.models import State


class Gone(APIException):
    status_code = 410
    default_detail = "This record was deleted."
    default_code = "gone"

    def __init__(self, obj=None, detail=None):
        self.obj = obj
        if detail is None and obj is not None:
            label = obj._meta.verbose_name
            when = obj.deleted_at.date().isoformat() if obj.deleted_at else "recently"
            detail = f"This {label} was deleted on {when}."
        super().__init__(detail)


def get_public_or_gone(queryset_or_model, **lookup):
    """Return the published record matching `lookup`; raise Gone if it was deleted, else Http404.

    Pass the model or a queryset that does NOT filter out deleted records (use
    `Event.objects.select_related(...)`, not `.published()`), or deleted records look like
    records that never existed. A deleted draft was never public: it is a plain 404. Whether a
    live record is public is the model's own rule (visible_to the public: a statement by a draft
    speaker is not). One query.
    """
    if isinstance(queryset_or_model, type) and issubclass(queryset_or_model, Model):
        queryset = queryset_or_model._default_manager.all()
    else:
        queryset = queryset_or_model
    model = queryset.model
    public = model._default_manager.published().filter(pk=OuterRef("pk"))
    try:
        obj = queryset.annotate(is_visible_to_public=Exists(public)).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No {model._meta.verbose_name} matches the given query.") from None
    if obj.deleted_at is not None:
        if obj.state == State.PUBLISHED:
            raise Gone(obj)
        raise Http404(f"No {model._meta.verbose_name} matches the given query.")
    if not obj.is_visible_to_public:
        raise Http404(f"No {model._meta.verbose_name} matches the given query.")
    return obj


class GoneMiddleware:
    """Render Gone raised by a plain Django view as the 410 page (JSON under /api/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if isinstance(exc, Gone):
            from timeline.errors import error_response

            obj = exc.obj
            context = {"deleted_at": obj.deleted_at if obj is not None else None}
            if obj is not None:
                context.update(removed_record_context(obj))
            return error_response(request, 410, str(exc.detail), context)
        return None


def removed_record_context(obj):
    """What the 410 page names: the removed record and its last public version (one query)."""
    kind = versions.KIND_FOR_MODEL.get(type(obj))
    if kind is None:
        return {"removed": str(obj)}
    number = versions.last_public_version(kind, obj)
    key = versions.record_key(kind, obj)
    return {
        "removed": f"{kind.label.capitalize()}: {obj}",
        "last_version_url": kind.version_url(key, number) if number else None,
        "last_version": number,
        "versions_url": kind.versions_url(key),
    }
