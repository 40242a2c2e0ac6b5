"""The domain: agencies, organizations, people, programs, events, contracts, statements,
the sources behind every fact, and the claims where sources disagree."""
import datetime
from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from timeline import content_versions
from timeline.dates import Precision, format_precise, iso_precise, period_end, validate_precise_date

http_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a web address that starts with http:// or https://."
)


class WebURLField(models.URLField):
    """A URL field that accepts only http and https addresses, with one clear message."""

    default_validators = [http_url_validator]


def split_aliases(text):
    """Return the non-empty lines of an aliases field."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def reader_is_staff(user):
    """Whether `user` (None for the public) reads as staff: drafts visible, deletions not."""
    return bool(user is not None and user.is_authenticated and user.is_staff)


def visibility_q(user, prefix=""):
    """Return a Q for records `user` may see (None: the public), the one rule every read uses:
    the public sees published, live records; staff see every live record. `prefix` applies it to
    a related record ("speaker__")."""
    condition = Q(**{f"{prefix}deleted_at__isnull": True})
    if not reader_is_staff(user):
        condition &= Q(**{f"{prefix}state": State.PUBLISHED})
    return condition


def can_see(staff, state, deleted_at):
    """visibility_q for a record's columns already fetched (state and deleted_at)."""
    return deleted_at is None and (staff or state == State.PUBLISHED)


class CuratedQuerySet(content_versions.TrackedQuerySet):
    # Related records a row cannot be shown without: a statement is hidden while its speaker is.
    required_related = ()

    def alive(self):
        """Records not soft-deleted."""
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, user):
        """Records `user` may see (None: the public): the one place visibility is decided, used
        by pages, the API and its filters, search, feeds, the sitemap, conflicts and the dump."""
        condition = visibility_q(user)
        for related in self.required_related:
            condition &= visibility_q(user, f"{related}__")
        return self.filter(condition)

    def published(self):
        """Records the public may see (visible_to the public)."""
        return self.visible_to(None)

    def deleted_visible_to(self, user):
        """Deleted records `user` could see before (answered 410 Gone, listed as tombstones):
        every deleted record for staff, deleted published ones for the public."""
        deleted = self.filter(deleted_at__isnull=False)
        return deleted if reader_is_staff(user) else deleted.filter(state=State.PUBLISHED)


class Curated(models.Model):
    """Fields every curated record shares: publication state, timestamps, soft deletion and a
    version number that grows with each save (used to detect conflicting edits)."""

    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CuratedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.modified_at = timezone.now()
        if self.pk is not None and not self._state.adding:
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)

    @property
    def is_public(self):
        """Whether the public may see this record by its own state (see visibility_q)."""
        return can_see(False, self.state, self.deleted_at)

    def soft_delete(self, reason="Deleted"):
        """Mark the record deleted (kept and restorable) and save it as a new, attributed version.

        Public pages and the API then answer 410 Gone for it (timeline.gone).
        """
        if self.deleted_at is None:
            self.deleted_at = timezone.now()
            self._change_reason = reason
            self.save()

    def restore(self, reason="Restored"):
        """Undo a soft deletion, recorded as a new, attributed version."""
        if self.deleted_at is not None:
            self.deleted_at = None
            self._change_reason = reason
            self.save()

    def clean(self):
        super().clean()
        # A slug is part of a permanent address: it may be chosen once, never changed.
        if hasattr(self, "slug") and self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if stored is not None and stored != self.slug:
                raise ValidationError({"slug": (
                    f"The slug is part of this record's permanent address and cannot change "
                    f"(it is {stored!r}). Edit the title instead."
                )})


class Dated(models.Model):
    """A date known to a day, month or year; date_end is the period's last day (for filtering)."""

    date = models.DateField(null=True, blank=True, help_text="For month or year precision, the first day of the period.")
    date_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    date_end = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        validate_precise_date(self.date, self.date_precision)

    def save(self, *args, **kwargs):
        self.date_end = period_end(self.date, self.date_precision)
        super().save(*args, **kwargs)

    @property
    def date_display(self):
        return format_precise(self.date, self.date_precision)

    @property
    def date_iso(self):
        return iso_precise(self.date, self.date_precision)


class Source(Curated):
    """One document: an article, a government record, a filing. Every fact cites sources."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", "Original reporting"
        FOLLOW_UP = "follow-up", "Follow-up reporting"
        COPY = "copy", "Copy or syndication"
        GOVERNMENT = "government-document", "Government document"
        PRESS_RELEASE = "press-release", "Press release"
        COURT_FILING = "court-filing", "Court filing"
        OTHER = "other", "Other"

    url = WebURLField(
        "canonical URL", max_length=1000, unique=True, null=True, blank=True,
        help_text="Leave empty when the document's address is not known.",
    )
    outlet = models.CharField(max_length=200, blank=True)
    original_outlet = models.CharField(
        max_length=200, blank=True,
        help_text="For a copy: the outlet whose report it republishes or rewrites, when known.",
    )
    headline = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.ORIGINAL)
    archived_url = WebURLField(max_length=1000, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published", "outlet", "id"]

    def __str__(self):
        parts = [self.byline or "Unknown outlet", self.headline or self.notes[:60] or "(no headline recorded)"]
        return ": ".join(parts)

    @property
    def byline(self):
        """The outlet as a reader should see it; a copy names what it copies: 'WIRED, republished
        by Techurz'."""
        if self.kind == self.Kind.COPY and self.original_outlet:
            return f"{self.original_outlet}, republished by {self.outlet or 'an unnamed outlet'}"
        if self.kind == self.Kind.COPY and self.outlet:
            return f"{self.outlet} (a copy of another outlet's report)"
        return self.outlet

    def save(self, *args, **kwargs):
        # Empty URLs are stored as NULL so that several sources without a known URL can coexist
        # under the unique constraint.
        self.url = self.url or None
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("timeline:source", args=[self.pk])


class Citation(models.Model):
    """A source cited for one record (an event, statement, contract, program, transition...)."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    locator = models.CharField(max_length=200, blank=True, help_text="Page, paragraph or timestamp in the source.")
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "source"], name="citation_once_per_subject"),
        ]
        # Prefetching a record's citations filters on (content_type, object_id).
        indexes = [models.Index(fields=["content_type", "object_id"], name="citation_subject_idx")]

    def __str__(self):
        return f"{self.source} for {self.content_type.model} #{self.object_id}"


class Cited(models.Model):
    """A record that carries citations and claims."""

    citations = GenericRelation(Citation, related_query_name="%(class)s")
    claims = GenericRelation("timeline.Claim", related_query_name="%(class)s")

    class Meta:
        abstract = True

    @property
    def sources(self):
        return [c.source for c in self.citations.all()]


class Agency(Curated, Cited):
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=20, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    aliases = models.TextField(blank=True, help_text="Other names reporting uses, one per line.")
    description = models.TextField(blank=True)
    url = WebURLField("website", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    def get_absolute_url(self):
        return reverse("timeline:agency", args=[self.slug])

    def clean(self):
        super().clean()
        ancestor, seen = self.parent, set()
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None or ancestor.pk in seen:
                raise ValidationError({"parent": "An agency cannot be its own parent or ancestor."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent

    def descendant_ids(self):
        """Return the ids of this agency and every agency below it (one query per level)."""
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            frontier = [pk for pk in frontier if pk not in ids]
            ids.update(frontier)
        return ids

    @property
    def alias_list(self):
        return split_aliases(self.aliases)


class Organization(Curated, Cited):
    class Kind(models.TextChoices):
        VENDOR = "vendor", "Vendor"
        NONPROFIT = "nonprofit", "Non-profit"
        MEDIA = "media", "Media"
        ACADEMIC = "academic", "Academic"
        OTHER = "other", "Other"

    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.VENDOR)
    aliases = models.TextField(blank=True, help_text="Other names reporting uses, one per line.")
    description = models.TextField(blank=True)
    url = WebURLField("website", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("timeline:organization", args=[self.slug])

    @property
    def alias_list(self):
        return split_aliases(self.aliases)


class Person(Curated, Cited):
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="people",
                               help_text="Affiliation, when it is an agency.")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="people", help_text="Affiliation, when it is an organization.")
    aliases = models.TextField(blank=True, help_text="Other names reporting uses, one per line.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("timeline:person", args=[self.slug])

    @property
    def affiliation(self):
        return self.agency or self.organization

    @property
    def alias_list(self):
        return split_aliases(self.aliases)


class ProgramStatus(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    PLANNED = "planned", "Planned"
    PILOT = "pilot", "Pilot"
    CONTRACTED = "contracted", "Contracted"
    OPERATING = "operating", "Operating"
    SUSPENDED = "suspended", "Suspended"
    ENJOINED = "enjoined", "Enjoined"
    ENDED = "ended", "Ended"


class Program(Curated, Cited):
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    aliases = models.TextField(blank=True, help_text="Names reporting uses for this program, one per line.")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="programs")
    vendors = models.ManyToManyField(Organization, blank=True, related_name="programs")
    # Derived from the lifecycle (refresh_status); stored so lists and filters need no subquery.
    status = models.CharField(max_length=12, choices=ProgramStatus.choices, blank=True, editable=False, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("timeline:program", args=[self.slug])

    @property
    def alias_list(self):
        return split_aliases(self.aliases)

    def current_transition(self):
        """Return the latest live transition (undated ones count as earliest). Hits the database."""
        transitions = [t for t in self.lifecycle.all() if t.deleted_at is None]
        return max(transitions, key=LifecycleTransition.order_key, default=None)

    def refresh_status(self):
        """Recompute the stored current status from the lifecycle and save it if it changed."""
        current = self.current_transition()
        status = current.status if current else ""
        if status != self.status:
            Program.objects.filter(pk=self.pk).update(status=status)
            self.status = status


class LifecycleTransition(Curated, Dated, Cited):
    """A dated, sourced change of a program's status; the latest one is its current status."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="lifecycle")
    status = models.CharField(max_length=12, choices=ProgramStatus.choices)
    event = models.ForeignKey("Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="transitions",
                              help_text="The event that marks this change, if any.")
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "date", "id"]

    def __str__(self):
        return f"{self.program}: {self.get_status_display()} ({self.date_display})"

    @staticmethod
    def order_key(transition):
        """Sort key: undated transitions first, then by date, then by creation."""
        if transition.date is None:
            return (0, datetime.date.min, transition.pk or 0)
        return (1, transition.date, transition.pk or 0)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.program.refresh_status()

    def delete(self, *args, **kwargs):
        program = self.program
        result = super().delete(*args, **kwargs)
        program.refresh_status()
        return result


class EventKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", "Announcement"
    DISCLOSURE = "disclosure", "Disclosure"
    CONTRACT = "contract", "Contract"
    SOLICITATION = "solicitation", "Solicitation"
    DOCUMENT = "document", "Document"
    POLICY = "policy", "Policy"
    LAUNCH = "launch", "Launch"
    TEST_RESULT = "test-result", "Test result"
    INCIDENT = "incident", "Incident"
    LEGAL = "legal", "Lawsuit or ruling"
    HEARING = "hearing", "Hearing or testimony"
    OTHER = "other", "Other"


class Contract(Curated, Cited):
    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(max_length=300)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contracts")
    vendor = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts")
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="contracts")
    value_usd = models.DecimalField(
        "value (USD)", max_digits=16, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"), message="A contract value cannot be negative.")],
        help_text="The value most sources report; disagreeing figures are recorded as claims.",
    )
    piid = models.CharField("PIID", max_length=60, blank=True, help_text="Procurement instrument identifier.")
    generated_award_id = models.CharField(
        "USAspending generated unique award id", max_length=120, blank=True,
    )
    parent_award = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="child_awards")
    parent_award_piid = models.CharField("parent award PIID", max_length=60, blank=True,
                                         help_text="When the parent award is not recorded here.")
    announced = models.DateField(null=True, blank=True)
    announced_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    start = models.DateField("period of performance start", null=True, blank=True)
    start_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    end = models.DateField("period of performance end", null=True, blank=True)
    end_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    description = models.TextField(blank=True, help_text="The award's own description (USAspending).")
    award_last_modified = models.DateTimeField(
        "award last modified", null=True, blank=True,
        help_text="When USAspending last modified the award (records.awards keeps it current).")
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-announced", "title"]
        constraints = [
            # An award is one contract: records.awards upserts by this id.
            models.UniqueConstraint(fields=["generated_award_id"], condition=~Q(generated_award_id=""),
                                    name="contract_unique_award_id"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("timeline:contract", args=[self.slug])

    def clean(self):
        super().clean()
        validate_precise_date(self.announced, self.announced_precision, "announced")
        validate_precise_date(self.start, self.start_precision, "start")
        validate_precise_date(self.end, self.end_precision, "end")
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The period of performance ends before it starts."})
        if self.parent_award_id and self.parent_award_id == self.pk:
            raise ValidationError({"parent_award": "A contract cannot be its own parent award."})

    @property
    def announced_display(self):
        return format_precise(self.announced, self.announced_precision) if self.announced else ""


class EventQuerySet(CuratedQuerySet):
    def for_program(self, program):
        return self.filter(programs=program)

    def chronological(self):
        return self.order_by("date", "date_end", "id")


class Event(Curated, Dated, Cited):
    slug = models.SlugField(unique=True, max_length=120)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=EventKind.choices, default=EventKind.OTHER, db_index=True)
    summary = models.TextField(blank=True)
    programs = models.ManyToManyField(Program, blank=True, related_name="events")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="events")
    organizations = models.ManyToManyField(Organization, blank=True, related_name="events")
    people = models.ManyToManyField(Person, blank=True, related_name="events")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            # The timeline and the API's date-range filters: published events by date.
            models.Index(fields=["state", "date", "date_end"], name="event_state_date_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("timeline:event", args=[self.slug])


class StatementQuerySet(CuratedQuerySet):
    required_related = ("speaker",)  # a quote is shown with its speaker, never anonymously


class Statement(Curated, Dated, Cited):
    slug = models.SlugField(unique=True, max_length=120)
    quote = models.TextField(help_text="Verbatim, as the source prints it.")
    speaker = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="statements")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="statements")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements")
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements")
    context = models.TextField(blank=True)
    medium = models.CharField(max_length=200, blank=True, help_text="How it was said: 'statement to WIRED', 'testimony'.")

    objects = StatementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "id"]

    def __str__(self):
        return f"{self.speaker}: “{self.quote[:60]}”"

    def get_absolute_url(self):
        return reverse("timeline:statement", args=[self.slug])


class ClaimQuerySet(CuratedQuerySet):
    required_related = ("source",)  # a claim is one source's word

    def visible_to(self, user):
        """Also hide claims about a record `user` may not see (a draft person, a deleted event)."""
        about_visible = Q()
        for model in CLAIM_SUBJECTS:
            about_visible |= Q(content_type__app_label=model._meta.app_label,
                               content_type__model=model._meta.model_name,
                               object_id__in=model.objects.visible_to(user).values("pk"))
        return super().visible_to(user).filter(about_visible)

    def with_conflicts(self, user=None):
        """Annotate `in_conflict`: another claim `user` may see (None: the public) on the same
        fact gives a different value. A draft claim is no conflict to the public."""
        others = Claim.objects.visible_to(user).filter(
            content_type=OuterRef("content_type"),
            object_id=OuterRef("object_id"),
            fact=OuterRef("fact"),
        ).exclude(value=OuterRef("value"))
        return self.annotate(in_conflict=Exists(others))

    def conflicting(self, user=None):
        return self.with_conflicts(user).filter(in_conflict=True)


class Claim(Curated):
    """One source's value for one fact about a record. Claims on the same fact may disagree."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name="about (type)")
    object_id = models.PositiveBigIntegerField("about (id)")
    subject = GenericForeignKey("content_type", "object_id")
    fact = models.SlugField(max_length=80, help_text="A short key for the fact, shared by every claim about it: 'value'.")
    fact_label = models.CharField(max_length=200, blank=True, help_text="The fact in words.")
    class ValueKind(models.TextChoices):
        TEXT = "text", "Text, shown as written"
        USD = "usd", "Amount in US dollars"
        AGENCY = "agency", "Agency (slug)"
        ORGANIZATION = "organization", "Organization (slug)"

    value = models.CharField(max_length=300, help_text="The value as this source gives it.")
    value_kind = models.CharField(
        max_length=12, choices=ValueKind.choices, default=ValueKind.TEXT,
        help_text="How the value is read: a dollar amount (digits) or an agency or organization slug is "
                  "shown as people read it ('$29,900,000', the agency's name).",
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="claims",
        error_messages={"null": "A claim must name the source that makes it.",
                        "blank": "A claim must name the source that makes it.",
                        "required": "A claim must name the source that makes it."},
    )
    quote = models.TextField(blank=True, help_text="The source's own words, when recorded.")
    note = models.TextField(blank=True)

    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["content_type", "object_id", "fact", "id"]
        # Conflict detection and a record's claims: same subject and fact.
        indexes = [models.Index(fields=["content_type", "object_id", "fact"], name="claim_fact_idx")]

    def __str__(self):
        return f"{self.fact_label or self.fact}: {self.value}"

    def clean(self):
        super().clean()
        if self.source_id is None:
            raise ValidationError({"source": "A claim must name the source that makes it."})
        if self.value_kind == self.ValueKind.USD:
            try:
                amount = Decimal(self.value)
            except ArithmeticError:
                amount = None
            if amount is None or not amount.is_finite() or amount < 0:
                raise ValidationError({"value": "A dollar amount is written as digits, such as 29900000 or 29900000.50."})
        referenced = {self.ValueKind.AGENCY: Agency, self.ValueKind.ORGANIZATION: Organization}.get(self.value_kind)
        if referenced is not None and not referenced.objects.filter(slug=self.value).exists():
            raise ValidationError({"value": f"No {referenced._meta.verbose_name} has the slug {self.value!r}."})

    @property
    def conflicting_claims(self):
        """Return live claims on the same fact whose value differs (hits the database)."""
        return Claim.objects.alive().filter(
            content_type_id=self.content_type_id, object_id=self.object_id, fact=self.fact
        ).exclude(Q(value=self.value) | Q(pk=self.pk))


# What a claim can be about (its content type's model).
CLAIM_SUBJECTS = (Agency, Organization, Person, Program, Event, Contract, Statement)
