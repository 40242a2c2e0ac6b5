"""Versioned records: each public record as it stood at version n, from its edit history.

Every curated record carries a `version` that grows with each save, and django-simple-history
keeps a row per save; the history row whose `version` is n is version n. The public sees the
versions in which the record was published (drafts were never public), including those of a
record deleted since, so that a citation of a versioned address never breaks.

Used by the version pages (timeline.views), the API's versions endpoints
(timeline.api.views.versions) and the list of recent changes.
"""
from dataclasses import dataclass

from django.db.models import ForeignKey, Q
from django.http import Http404
from django.urls import reverse
from django.utils.text import capfirst

from timeline.dates import format_precise
from timeline.models import (
    Agency, Contract, Event, Organization, Person, Program, Source, State, Statement,
)
from timeline.values import format_usd


@dataclass(frozen=True)
class VersionedKind:
    segment: str      # the path segment: /<segment>/<key>/versions/<n>/
    model: type
    lookup: str       # "slug", or "pk" for sources
    fields: tuple     # the fields a version shows, in order
    url_name: str     # the record page's URL name in the timeline namespace

    @property
    def label(self):
        return self.model._meta.verbose_name

    def record_url(self, key):
        return reverse(f"timeline:{self.url_name}", args=[key])

    def versions_url(self, key):
        return reverse("timeline:versions", args=[self.segment, key])

    def version_url(self, key, number):
        return reverse("timeline:version", args=[self.segment, key, number])


KINDS = {kind.segment: kind for kind in (
    VersionedKind("events", Event, "slug", ("title", "date", "kind", "summary", "contract"), "event"),
    VersionedKind("programs", Program, "slug", ("name", "summary", "aliases", "status"), "program"),
    VersionedKind("agencies", Agency, "slug",
                  ("name", "abbreviation", "parent", "aliases", "description", "url"), "agency"),
    VersionedKind("organizations", Organization, "slug", ("name", "kind", "aliases", "description", "url"),
                  "organization"),
    VersionedKind("people", Person, "slug", ("name", "role", "agency", "organization", "aliases"), "person"),
    VersionedKind("contracts", Contract, "slug",
                  ("title", "agency", "vendor", "program", "value_usd", "piid", "generated_award_id",
                   "parent_award", "parent_award_piid", "announced", "start", "end", "notes"), "contract"),
    VersionedKind("statements", Statement, "slug",
                  ("quote", "speaker", "agency", "event", "program", "date", "context", "medium"), "statement"),
    VersionedKind("sources", Source, "pk",
                  ("outlet", "original_outlet", "headline", "author", "published", "kind", "url", "archived_url",
                   "notes"), "source"),
)}
KIND_FOR_MODEL = {kind.model: kind for kind in KINDS.values()}

# Fields stored with a precision field beside them.
PRECISION_FIELDS = {"date": "date_precision", "announced": "announced_precision", "start": "start_precision",
                    "end": "end_precision"}


def kind_or_404(segment):
    try:
        return KINDS[segment]
    except KeyError:
        raise Http404("Records of this kind have no versions.") from None


def record_key(kind, record):
    return record.pk if kind.lookup == "pk" else getattr(record, kind.lookup)


def find_record(kind, key):
    """Return the record whose versions the public may read, else raise Http404 (one query).

    That is a published record, deleted or not: a deleted one keeps its versions so that
    citations of them hold. A record taken back to draft is not public at all."""
    lookup = {"pk": key} if kind.lookup == "pk" else {kind.lookup: key}
    try:
        record = kind.model.objects.get(**lookup)
    except (kind.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No {kind.label} has this address.") from None
    if record.state != State.PUBLISHED:
        raise Http404(f"No {kind.label} has this address.")
    return record


def public_history(kind, record):
    """The record's history rows from its published versions, oldest first (one query).

    A version saved more than once under one number (a save that changed nothing the version
    counts) is represented by its last row."""
    rows = (kind.model.history.filter(id=record.pk, state=State.PUBLISHED)
            .select_related("history_user").prefetch_related("history_user__groups")
            .order_by("history_date", "history_id"))
    by_version = {}
    for row in rows:
        by_version[row.version] = row
    return [by_version[number] for number in sorted(by_version)]


def role_of(user):
    """The curator role that made a change, never the person's name."""
    if user is None:
        return "Automatic import"
    if user.is_superuser:
        return "Administrator"
    names = {group.name for group in user.groups.all()}
    if "Editors" in names:
        return "Editor"
    if "Curators" in names:
        return "Curator"
    return "Staff"


# History reasons written by the machinery, as a reader should read them.
REASON_WORDING = {"Loaded from fixture": "First recorded"}


def describe_change(row):
    """The reason a version was saved, in words for the public."""
    reason = row.history_change_reason or {"+": "Created", "~": "Changed", "-": "Removed"}.get(row.history_type, "Changed")
    return REASON_WORDING.get(reason, reason)


def display_value(instance, field_name, names):
    """Return one field of a version as a reader reads it (names: related records' labels)."""
    field = instance._meta.get_field(field_name)
    if isinstance(field, ForeignKey):
        related_id = getattr(instance, field.attname)
        return names.get((field.related_model, related_id), "") if related_id is not None else ""
    value = getattr(instance, field_name)
    if value in (None, ""):
        return ""
    if field_name in PRECISION_FIELDS:
        return format_precise(value, getattr(instance, PRECISION_FIELDS[field_name]))
    if field_name == "value_usd":
        return format_usd(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field_name == "published":
        return format_precise(value, "day")
    return str(value)


def referenced_ids(kind, rows):
    """Yield (model, ids) for each foreign key among the kind's shown fields that the rows set."""
    for name in kind.fields:
        field = kind.model._meta.get_field(name)
        if isinstance(field, ForeignKey):
            ids = {getattr(row, field.attname) for row in rows} - {None}
            if ids:
                yield field.related_model, ids


def related_names(kind, rows):
    """Labels of the public records the rows' foreign keys point to: one query per foreign key."""
    return {(model, related.pk): str(related) for model, ids in referenced_ids(kind, rows)
            for related in model.objects.published().filter(pk__in=ids)}


@dataclass
class Version:
    number: int
    row: object           # the history row
    fields: list          # [(label, text)] as the version stood
    changes: list         # [(label, before, after)] against the next public version, if any
    next_number: int | None

    @property
    def date(self):
        return self.row.history_date

    @property
    def role(self):
        return role_of(self.row.history_user)

    @property
    def reason(self):
        return describe_change(self.row)


def shown_fields(kind, row, names):
    return [(row._meta.get_field(name).verbose_name, display_value(row, name, names)) for name in kind.fields]


def version_of(kind, record, number):
    """Return (Version n, every public version) or raise Http404 (two queries plus one per
    foreign key)."""
    history = public_history(kind, record)
    numbers = [row.version for row in history]
    if number not in numbers:
        raise Http404(f"This {kind.label} has no public version {number}.")
    index = numbers.index(number)
    row = history[index]
    following = history[index + 1] if index + 1 < len(history) else None
    rows = [row] + ([following] if following is not None else [])
    names = related_names(kind, rows)
    fields = shown_fields(kind, row, names)
    changes = []
    if following is not None:
        after = dict(shown_fields(kind, following, names))
        changes = [(label, before, after[label]) for label, before in fields if after[label] != before]
    return Version(number, row, fields, changes, following.version if following else None), history


def last_public_version(kind, record):
    """The number of the record's last public version before it was deleted, or None."""
    numbers = [row.version for row in public_history(kind, record) if row.deleted_at is None]
    return numbers[-1] if numbers else None


# -- recent changes ------------------------------------------------------------------------------

RECENT_CHANGES = 50


@dataclass
class Change:
    kind: VersionedKind
    row: object
    fields: list      # labels of the fields this version changed
    role: str

    @property
    def date(self):
        return self.row.history_date

    @property
    def key(self):
        return self.row.id if self.kind.lookup == "pk" else getattr(self.row, self.kind.lookup)

    @property
    def label(self):
        row = self.row
        text = getattr(row, "title", "") or getattr(row, "name", "") or getattr(row, "headline", "") \
            or getattr(row, "quote", "") or getattr(row, "outlet", "") or f"{self.kind.label} {row.id}"
        return text if len(text) <= 100 else text[:99] + "…"

    @property
    def url(self):
        return self.kind.version_url(self.key, self.row.version)

    @property
    def what(self):
        if self.row.history_type == "+":
            return "Added"
        if self.row.deleted_at is not None and "Deleted at" in self.fields:
            return "Removed"
        return "Changed " + ", ".join(self.fields) if self.fields else "Changed its links or sources"


def changed_fields(kind, row, previous):
    """Labels of the shown fields (and the deletion) that differ between two history rows."""
    names = list(kind.fields) + [PRECISION_FIELDS[n] for n in kind.fields if n in PRECISION_FIELDS] + ["deleted_at"]
    labels = []
    for name in names:
        field = row._meta.get_field(name)
        if getattr(row, field.attname) != getattr(previous, field.attname):
            labels.append(capfirst(str(field.verbose_name)))
    return labels


def recent_changes(limit=RECENT_CHANGES):
    """The latest public versions of every kind of record, newest first, with the fields each
    changed and the role that made it. Three queries per kind of record (versions, the versions
    before them, the users' groups)."""
    changes = []
    for kind in KINDS.values():
        live = kind.model.objects.filter(state=State.PUBLISHED).values("pk")
        rows = list(
            kind.model.history.filter(state=State.PUBLISHED, id__in=live)
            .select_related("history_user").prefetch_related("history_user__groups")
            .order_by("-history_date", "-history_id")[:limit]
        )
        wanted = Q()
        for row in rows:
            wanted |= Q(id=row.id, version=row.version - 1)
        previous = {}
        if rows:
            for prior in kind.model.history.filter(wanted).order_by("history_date", "history_id"):
                previous[(prior.id, prior.version)] = prior
        for row in rows:
            prior = previous.get((row.id, row.version - 1))
            fields = changed_fields(kind, row, prior) if prior is not None and row.history_type != "+" else []
            changes.append(Change(kind, row, fields, role_of(row.history_user)))
    changes.sort(key=lambda change: change.date, reverse=True)
    return changes[:limit]
