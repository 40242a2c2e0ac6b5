"""Watches over primary sources (USAspending awards, Federal Register documents) and what each
sync stored: one AwardRecord per award, one RegisterDocument per Federal Register document.

The timeline's own records (contracts, sources, claims, events) live in timeline/; these tables
remember where each came from, so that a re-run changes nothing.
"""
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from timeline.models import Contract, Event, Program, Source, split_aliases

# After this many failed syncs in a row a watch is shown as failing.
FAILING_AFTER = 5
MAX_SYNC_DELAY = timedelta(days=2)


class WatchQuerySet(models.QuerySet):
    def due(self, now=None):
        """Enabled watches whose next sync time has come (one query when evaluated)."""
        return self.filter(enabled=True, next_sync_at__lte=now or timezone.now()).order_by("next_sync_at")


class Watch(models.Model):
    """What every watch shares: a schedule and its health, kept as feeds keep theirs."""

    name = models.CharField(max_length=200, help_text="For curators: what this watch is for.")
    enabled = models.BooleanField(default=True, help_text="Paused watches are not synced on schedule.")
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                help_text="Draft events from this watch are linked to this program.")
    sync_interval = models.DurationField(default=timedelta(hours=24))
    next_sync_at = models.DateTimeField(default=timezone.now)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="HTTP status of the last failure")
    last_error = models.TextField(blank=True, help_text="Why the last sync failed (empty when it succeeded)")
    last_warning = models.TextField(blank=True, help_text="Records the last sync skipped, and why")
    last_summary = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)

    objects = WatchQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def health(self):
        """One word for the admin and the API: paused, failing, erroring, ok or new."""
        if not self.enabled:
            return "paused"
        if self.consecutive_failures >= FAILING_AFTER:
            return "failing"
        if self.last_error:
            return "erroring"
        return "ok" if self.last_synced_at else "new"

    def record_success(self, now, summary, warning=""):
        """Note a finished sync and schedule the next (fields only; the caller saves)."""
        self.last_synced_at = self.last_success_at = now
        self.last_status = None
        self.last_error = ""
        self.last_warning = warning
        self.last_summary = summary[:300]
        self.consecutive_failures = 0
        self.next_sync_at = now + self.sync_interval

    def record_failure(self, now, error, *, status=None, retry_after=None, summary=""):
        """Note a failed sync and back off: the interval doubles with each failure in a row."""
        self.last_synced_at = now
        self.last_status = status
        self.last_error = error
        self.last_summary = summary[:300]
        self.consecutive_failures += 1
        backoff = self.sync_interval * (2 ** min(self.consecutive_failures - 1, 10))
        self.next_sync_at = now + min(max(backoff, retry_after or timedelta(0)), max(MAX_SYNC_DELAY, self.sync_interval))


class AwardWatch(Watch):
    """A USAspending search polled for new and modified awards."""

    awarding_agency = models.CharField(max_length=200, help_text="Toptier agency as USAspending names it: "
                                       "'Department of Homeland Security'.")
    awarding_subagency = models.CharField(max_length=200, blank=True, help_text="Subtier agency as USAspending "
                                          "names it: 'U.S. Immigration and Customs Enforcement'.")
    recipient = models.CharField(max_length=200, help_text="Recipient search text: 'Palantir'.")
    keywords = models.TextField(blank=True, help_text="Optional keywords, one per line.")
    award_type_codes = models.CharField(max_length=200, default="A,B,C,D",
                                        help_text="Comma-separated USAspending award type codes (contracts: A,B,C,D).")
    # Awards modified on or after this date are asked for next time (empty: everything).
    modified_since = models.DateField(null=True, blank=True, editable=False)

    class Meta(Watch.Meta):
        indexes = [
            # AwardWatch.objects.due(), run by every beat tick.
            models.Index(fields=["next_sync_at"], condition=Q(enabled=True), name="award_watch_due_idx"),
        ]

    @property
    def keyword_list(self):
        return split_aliases(self.keywords)

    @property
    def type_codes(self):
        return [code.strip() for code in self.award_type_codes.split(",") if code.strip()]


class RegisterWatch(Watch):
    """A Federal Register search (agencies and terms) polled for new documents."""

    agencies = models.TextField(blank=True, help_text="Federal Register agency slugs, one per line: "
                                "'immigration-and-customs-enforcement'.")
    terms = models.TextField(blank=True, help_text="Search terms, one per line; each is searched on its own.")
    document_types = models.CharField(max_length=100, default="NOTICE,RULE,PRORULE",
                                      help_text="Comma-separated types: NOTICE, RULE, PRORULE, PRESDOCU.")
    published_since = models.DateField(null=True, blank=True, editable=False)

    class Meta(Watch.Meta):
        verbose_name = "Federal Register watch"
        indexes = [
            models.Index(fields=["next_sync_at"], condition=Q(enabled=True), name="register_watch_due_idx"),
        ]

    @property
    def agency_list(self):
        return split_aliases(self.agencies)

    @property
    def term_list(self):
        return split_aliases(self.terms)

    @property
    def type_list(self):
        return [t.strip().upper() for t in self.document_types.split(",") if t.strip()]


class MatchStatus(models.TextChoices):
    CREATED = "created", "Its own contract"
    PROPOSED = "proposed", "Proposed as a contract on record"
    ACCEPTED = "accepted", "Accepted by a curator"
    REJECTED = "rejected", "Rejected by a curator"


class AwardRecord(models.Model):
    """One USAspending award as last synced, and the contract it belongs to.

    Keyed by the generated unique award id, so an award is stored once however many watches
    or runs see it. `last_modified` is the API's last_modified_date: an award whose date has not
    moved is not fetched again.
    """

    generated_award_id = models.CharField(max_length=120, unique=True)
    piid = models.CharField(max_length=60, blank=True)
    last_modified = models.CharField(max_length=40, help_text="The award's last-modified date as the search "
                                     "listed it: a row with the same value is not fetched again")
    figures = models.JSONField(default=dict, help_text="The figures last recorded, as decimal strings")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="award_records")
    match_status = models.CharField(max_length=10, choices=MatchStatus.choices, default=MatchStatus.CREATED)
    match_reasons = models.JSONField(default=list, blank=True)
    # What the award said, kept to build its own contract should a curator reject the match.
    details = models.JSONField(default=dict, blank=True)
    watch = models.ForeignKey(AwardWatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="awards")
    first_synced_at = models.DateTimeField(default=timezone.now)
    synced_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-synced_at", "-id"]
        indexes = [
            # The admin's queue of proposed matches.
            models.Index(fields=["match_status"], name="award_record_status_idx"),
        ]

    def __str__(self):
        return self.piid or self.generated_award_id

    @property
    def usaspending_url(self):
        return award_page_url(self.generated_award_id)


def award_page_url(generated_award_id):
    """The award's public page on USAspending: the Source cited for its figures."""
    return f"https://www.usaspending.gov/award/{generated_award_id}"


class RegisterDocument(models.Model):
    """One Federal Register document as stored: its Source, its draft event and its scores."""

    document_number = models.CharField(max_length=40, unique=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    document_type = models.CharField(max_length=40, blank=True)
    publication_date = models.DateField()
    program_scores = models.JSONField(default=dict, blank=True, help_text="{program slug: score} from entity signals")
    watch = models.ForeignKey(RegisterWatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-publication_date", "-id"]

    def __str__(self):
        return self.document_number
