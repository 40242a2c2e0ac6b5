"""Feeds, the reports polled from them, and their links to timeline events."""
from datetime import timedelta

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from timeline.content_versions import TrackedQuerySet

# After this many failed polls in a row a feed is shown as failing and polled at the slowest rate.
FAILING_AFTER = 5
# Backoff and server-requested delays never push the next poll further than this.
MAX_POLL_DELAY = timedelta(days=1)


class FeedQuerySet(models.QuerySet):
    def due(self, now=None):
        """Enabled feeds whose next poll time has come, oldest first. One query when evaluated."""
        now = now or timezone.now()
        return self.filter(enabled=True, next_poll_at__lte=now).order_by("next_poll_at")


class Feed(models.Model):
    """A feed we poll, with the state a polite poller keeps between polls."""

    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=500, blank=True)
    enabled = models.BooleanField(default=True, help_text="Paused feeds are not polled on schedule.")
    poll_interval = models.DurationField(default=timedelta(hours=1))

    # Conditional GET: sent back as If-None-Match / If-Modified-Since.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="HTTP status of the last poll")
    last_error = models.TextField(blank=True, help_text="Why the last poll failed (empty when it succeeded)")
    last_warning = models.TextField(blank=True, help_text="Problems in the last document that was still usable")
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = FeedQuerySet.as_manager()

    class Meta:
        ordering = ["url"]
        indexes = [
            # Feed.objects.due(): enabled feeds with next_poll_at <= now, run by every beat tick.
            models.Index(fields=["next_poll_at"], condition=Q(enabled=True), name="feed_due_idx"),
        ]

    def __str__(self):
        return self.title or self.url

    def clean(self):
        from django.core.exceptions import ValidationError

        if not self.url.lower().startswith(("http://", "https://")):
            raise ValidationError({"url": "Only http and https feeds can be polled."})

    @property
    def is_failing(self):
        return self.consecutive_failures >= FAILING_AFTER

    @property
    def health(self):
        """One word for the admin: paused, failing, erroring, ok or new."""
        if not self.enabled:
            return "paused"
        if self.is_failing:
            return "failing"
        if self.last_error:
            return "erroring"
        return "ok" if self.last_polled_at else "new"

    # Poll bookkeeping. These set fields only; the caller saves (sources.polling does, in the
    # same transaction as the reports).

    def record_success(self, now, status, *, etag=None, last_modified=None, min_delay=None, warning=""):
        """Note a successful poll (200 or 304) and schedule the next one after the interval, or
        later if the server asked (Cache-Control max-age, Retry-After), capped at a day."""
        self.last_polled_at = now
        self.last_success_at = now
        self.last_status = status
        self.last_error = ""
        self.last_warning = warning
        self.consecutive_failures = 0
        if etag is not None:
            self.etag = etag[:500]
        if last_modified is not None:
            self.last_modified = last_modified[:100]
        delay = max(self.poll_interval, min_delay or timedelta(0))
        self.next_poll_at = now + min(delay, max(MAX_POLL_DELAY, self.poll_interval))

    def record_failure(self, now, error, *, status=None, min_delay=None):
        """Note a failed poll and back off: the interval doubles with each failure in a row, up to
        a day (a feed that keeps failing is marked failing and polled about daily)."""
        self.last_polled_at = now
        self.last_status = status
        self.last_error = error
        self.consecutive_failures += 1
        self.next_poll_at = now + self.failure_delay(min_delay)

    def failure_delay(self, min_delay=None):
        backoff = self.poll_interval * (2 ** min(self.consecutive_failures - 1, 20))
        delay = max(backoff, min_delay or timedelta(0))
        return min(delay, max(MAX_POLL_DELAY, self.poll_interval))


class Report(models.Model):
    """One news item from a feed, stored once however often it is seen.

    `key` identifies the entry within its feed: its GUID, or its canonical link when the GUID is
    missing or repeated across items, or a hash of its text when it has neither (see
    sources.entries.entry_key). Raw HTML is stored as the feed sent it: sanitise it (with
    sources.sanitize) wherever it is shown.
    """

    class PublishedFallback(models.TextChoices):
        NONE = "", "Date from the feed"
        MISSING = "missing", "No date in the feed: time fetched"
        FUTURE = "future", "Date in the future: time fetched"

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="reports")
    key = models.CharField(max_length=64, editable=False, help_text="sha256 of the entry's identity in its feed")
    guid = models.CharField(max_length=2000, blank=True)
    url = models.URLField("canonical URL", max_length=2000, blank=True,
                          help_text="The entry's link without fragment or tracking parameters (http/https only)")
    title = models.TextField(blank=True)
    summary = models.TextField(blank=True, help_text="Raw HTML from the feed")
    content = models.TextField(blank=True, help_text="Raw HTML from the feed")
    author = models.CharField(max_length=500, blank=True)
    published = models.DateTimeField()
    published_fallback = models.CharField(max_length=10, choices=PublishedFallback.choices, blank=True, default="")
    fetched_at = models.DateTimeField(help_text="When this entry was first fetched")
    content_hash = models.CharField(max_length=64, help_text="sha256 of title, summary and content")
    # Matching (sources.linking): the earlier report this one copies (syndication, a light
    # rewrite), when it last went through matching, and the suggested event it was grouped into.
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies",
                                     help_text="The earlier report this one copies, if any")
    copy_evidence = models.JSONField(default=dict, blank=True, editable=False)
    matched_at = models.DateTimeField(null=True, blank=True, editable=False)
    suggested_event = models.ForeignKey("sources.SuggestedEvent", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="reports")

    objects = TrackedQuerySet.as_manager()  # bulk writes (ingest, matching) tell the API's cache

    class Meta:
        ordering = ["-published", "-id"]
        constraints = [
            # Makes ingestion idempotent; also serves sources.ingest's lookup of the entries
            # already stored: Report.objects.filter(feed=feed, key__in=keys).
            models.UniqueConstraint(fields=["feed", "key"], name="report_unique_entry_per_feed"),
        ]
        indexes = [
            # The default ordering: the admin's report list and "latest reports" pages.
            models.Index(fields=["-published", "-id"], name="report_latest_idx"),
            # The same article from another feed: sources.copy_detection.earliest_with_same_url,
            # Report.objects.filter(url__in=urls).
            models.Index(fields=["url"], name="report_url_idx"),
        ]

    def __str__(self):
        return self.title or self.url or self.guid or f"Report {self.pk}"

    def approve_on(self, event, user, now, *, score, explanation):
        """Approve this report on `event` (a new link, or the existing one); return the link."""
        decided = {"status": LinkStatus.APPROVED, "decided_by": user, "decided_at": now, "updated_at": now}
        link, _ = ReportEventLink.objects.update_or_create(
            report=self, event=event, defaults=decided,
            create_defaults={**decided, "score": score, "explanation": explanation})
        return link

    def choose_primary_link(self):
        """Make exactly one standing link of this report primary: approved before attached, by score."""
        links = list(self.event_links.order_by("-score", "id"))
        standing = [link for link in links if link.status in (LinkStatus.APPROVED, LinkStatus.ATTACHED)]
        standing.sort(key=lambda link: (link.status != LinkStatus.APPROVED, -link.score))
        primary = standing[0].pk if standing else None
        for link in links:
            if link.is_primary != (link.pk == primary):
                ReportEventLink.objects.filter(pk=link.pk).update(is_primary=link.pk == primary)


class LinkStatus(models.TextChoices):
    ATTACHED = "attached", "Attached automatically"
    PROPOSED = "proposed", "Proposed for review"
    APPROVED = "approved", "Approved by a curator"
    REJECTED = "rejected", "Rejected by a curator"


class MatcherModelQuerySet(models.QuerySet):
    def active(self):
        """The version that decides new links (the latest marked active), or None. One query."""
        return self.filter(is_active=True).order_by("-pk").first()


class MatcherModel(models.Model):
    """One version of the learned matcher (sources.matching.learned): its coefficients and
    thresholds, what it was fitted from and its cross-validated figures.

    `manage.py fit_matcher` stores a new version and makes it active; an editor rolls back by
    making an earlier version active in the admin. Each link records the version that decided it.
    """

    parameters = models.JSONField(help_text="Coefficients, feature means and scales, thresholds (LearnedModel)")
    is_active = models.BooleanField(default=False, help_text="Decides new links (one version at a time)")
    fitted_at = models.DateTimeField(default=timezone.now)
    fitted_by = models.CharField(max_length=200, blank=True, help_text="What fitted it: shipped, fit_matcher")
    examples = models.PositiveIntegerField(default=0, help_text="Labelled candidates it was fitted from")
    curator_decisions = models.PositiveIntegerField(default=0, help_text="Of which from curators' decisions")
    target_precision = models.FloatField(default=0.99)
    cv_precision = models.FloatField(null=True, blank=True, help_text="Cross-validated precision of attached links")
    cv_recall = models.FloatField(null=True, blank=True, help_text="Cross-validated share of right events attached")
    cv_review_recall = models.FloatField(null=True, blank=True,
                                         help_text="Cross-validated share of reports with a right event that it at least proposes")

    objects = MatcherModelQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = "matcher model version"

    def __str__(self):
        return f"matcher v{self.pk}" + (" (active)" if self.is_active else "")

    @property
    def version(self):
        return self.pk

    def learned(self):
        """Return the sources.matching.learned.LearnedModel this version stores."""
        from sources.matching.learned import LearnedModel

        return LearnedModel.from_json(self.parameters, version=self.pk)

    def activate(self):
        """Make this version the one that decides new links (a roll-back when it is older)."""
        with transaction.atomic():
            MatcherModel.objects.exclude(pk=self.pk).filter(is_active=True).update(is_active=False)
            MatcherModel.objects.filter(pk=self.pk).update(is_active=True)
            self.is_active = True


class ReportEventLinkQuerySet(TrackedQuerySet):
    def review_queue(self):
        """Proposed links of original reports (copies fold under them), highest score first,
        with what the queue shows (one query)."""
        return (self.filter(status=LinkStatus.PROPOSED, report__duplicate_of__isnull=True)
                .select_related("report", "report__feed", "event")
                .order_by("-score", "-id"))

    def standing(self):
        """Links that put a report on an event: attached or approved."""
        return self.filter(status__in=[LinkStatus.ATTACHED, LinkStatus.APPROVED])

    def approve(self, user, now=None):
        """Approve these links as `user`, each decision recorded. Returns how many changed."""
        return self._decide(LinkStatus.APPROVED, ReviewDecision.Action.APPROVE, user, now)

    def reject(self, user, now=None):
        """Reject these links as `user`: the matcher never proposes them again. Returns how many changed."""
        return self._decide(LinkStatus.REJECTED, ReviewDecision.Action.REJECT, user, now)

    def _decide(self, status, action, user, now=None):
        now = now or timezone.now()
        changed = 0
        with transaction.atomic():
            links = list(self.select_related("report"))
            # A copy is the same report: the decision on its original's link is the copy's too
            # (the queue folds copies under their original).
            wanted = {(link.report_id, link.event_id) for link in links}
            links += [copy for copy in ReportEventLink.objects.select_related("report").filter(
                report__duplicate_of_id__in={report_id for report_id, _ in wanted},
                event_id__in={event_id for _, event_id in wanted}).exclude(pk__in=[link.pk for link in links])
                if (copy.report.duplicate_of_id, copy.event_id) in wanted]
            for link in links:
                if link.status == status:
                    continue
                link.record_decision(status, user, now)
                ReviewDecision.objects.create(action=action, link=link, report_id=link.report_id,
                                              event_id=link.event_id, decided_by=user, decided_at=now)
                link.report.choose_primary_link()
                changed += 1
        return changed

    def reassign(self, event, user, now=None):
        """Move these links to `event`: each old link is rejected and its report approved on
        `event`, the decision recorded. Returns how many changed."""
        now = now or timezone.now()
        changed = 0
        with transaction.atomic():
            for link in self.select_related("report"):
                if link.event_id == event.pk:
                    continue
                if link.status != LinkStatus.REJECTED:
                    link.record_decision(LinkStatus.REJECTED, user, now)
                target = link.report.approve_on(event, user, now, score=link.score,
                                                explanation={"decided": "curator", "reassigned_from": link.event_id})
                ReviewDecision.objects.create(action=ReviewDecision.Action.REASSIGN, link=target,
                                              report_id=link.report_id, event=event, previous_event_id=link.event_id,
                                              decided_by=user, decided_at=now)
                link.report.choose_primary_link()
                changed += 1
        return changed


class ReportEventLink(models.Model):
    """A report's link to a timeline event: decided by the matcher or by a curator.

    A curator's decision is final: a rejected link is never proposed again and an approved one
    is never changed by a later matching run (sources.linking only touches attached and
    proposed links).
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="event_links")
    event = models.ForeignKey("timeline.Event", on_delete=models.CASCADE, related_name="report_links")
    score = models.FloatField()
    status = models.CharField(max_length=10, choices=LinkStatus.choices)
    is_primary = models.BooleanField(default=False)
    explanation = models.JSONField(default=dict, blank=True)
    model_version = models.ForeignKey(MatcherModel, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="links", help_text="The learned matcher version that scored it")
    decided_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ReportEventLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "event"], name="link_once_per_report_and_event"),
        ]
        indexes = [
            # The review queue: ReportEventLink.objects.review_queue() (status = proposed by score).
            models.Index(fields=["status", "-score"], name="link_review_queue_idx"),
            # An event's coverage: its attached and approved reports.
            models.Index(fields=["event", "status"], name="link_event_status_idx"),
        ]

    def __str__(self):
        return f"{self.report} \u2192 {self.event} ({self.status}, {self.score:.2f})"

    @property
    def is_decided(self):
        return self.status in (LinkStatus.APPROVED, LinkStatus.REJECTED)

    def record_decision(self, status, user, now):
        """Set and save a curator's status with who and when; a rejected link is never primary."""
        self.status, self.decided_by, self.decided_at, self.updated_at = status, user, now, now
        fields = ["status", "decided_by", "decided_at", "updated_at"]
        if status == LinkStatus.REJECTED:
            self.is_primary = False
            fields.append("is_primary")
        self.save(update_fields=fields)


class ReviewDecision(models.Model):
    """One curator decision, kept for good: who did what to which link or suggestion, and when."""

    class Action(models.TextChoices):
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"
        REASSIGN = "reassign", "Reassigned"
        ACCEPT_SUGGESTION = "accept-suggestion", "Accepted a suggested event"
        DISMISS_SUGGESTION = "dismiss-suggestion", "Dismissed a suggested event"

    action = models.CharField(max_length=20, choices=Action.choices)
    link = models.ForeignKey(ReportEventLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    suggestion = models.ForeignKey("sources.SuggestedEvent", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="decisions")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event = models.ForeignKey("timeline.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    previous_event = models.ForeignKey("timeline.Event", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    decided_by = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.decided_by} at {self.decided_at:%Y-%m-%d %H:%M}"


class SuggestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted (event created)"
    DISMISSED = "dismissed", "Dismissed"


class SuggestedEventQuerySet(models.QuerySet):
    def dismiss(self, user, now=None):
        """Dismiss the open suggestions among these, each decision recorded. Returns how many."""
        now = now or timezone.now()
        changed = 0
        with transaction.atomic():
            for suggestion in self.filter(status=SuggestionStatus.OPEN):
                suggestion.status, suggestion.decided_by, suggestion.decided_at = SuggestionStatus.DISMISSED, user, now
                suggestion.save(update_fields=["status", "decided_by", "decided_at"])
                ReviewDecision.objects.create(action=ReviewDecision.Action.DISMISS_SUGGESTION, suggestion=suggestion,
                                              decided_by=user, decided_at=now)
                changed += 1
        return changed


class SuggestedEvent(models.Model):
    """Reports that match no event but concern a tracked program or agency, grouped together."""

    title = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN)
    score = models.FloatField(default=0, help_text="How strongly the reports concern tracked records (0..1)")
    entities = models.JSONField(default=list, blank=True, help_text="Entity keys the reports name")
    centroid = models.JSONField(default=dict, blank=True, editable=False)
    report_count = models.PositiveIntegerField(default=0)
    first_published = models.DateTimeField(null=True, blank=True)
    last_published = models.DateTimeField(null=True, blank=True)
    event = models.ForeignKey("timeline.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              help_text="The event created from this suggestion")
    decided_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SuggestedEventQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "-id"]
        indexes = [
            # The review queue's suggestions and the grouping of new reports: open ones by score.
            models.Index(fields=["status", "-score"], name="suggestion_queue_idx"),
        ]

    def __str__(self):
        return self.title

    def accept(self, event, user, now=None):
        """Record that curators made `event` from this suggestion, and approve its reports on it."""
        now = now or timezone.now()
        with transaction.atomic():
            self.status, self.event, self.decided_by, self.decided_at = SuggestionStatus.ACCEPTED, event, user, now
            self.save(update_fields=["status", "event", "decided_by", "decided_at"])
            for report in self.reports.all():
                report.approve_on(event, user, now, score=self.score,
                                  explanation={"decided": "curator", "suggestion": self.pk})
                report.choose_primary_link()
            ReviewDecision.objects.create(action=ReviewDecision.Action.ACCEPT_SUGGESTION, suggestion=self,
                                          event=event, decided_by=user, decided_at=now)


class ReportFingerprint(models.Model):
    """A winnowed shingle hash of a report's text: copy detection looks earlier reports up by it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="fingerprints")
    value = models.BigIntegerField()

    class Meta:
        indexes = [
            # sources.copy_detection.find_copies: ReportFingerprint.objects.filter(value__in=...).
            models.Index(fields=["value"], name="fingerprint_value_idx"),
        ]


class EventMatchDocument(models.Model):
    """What matching knows of one live event, stored beside it and kept current in the same
    transaction as the change (sources.event_documents).

    `document` is the event's searchable terms and entity keys, each as one search token
    (sources.matching.candidates.search_token): the database's full-text index over it finds
    candidate events for a report (a generated tsvector with a GIN index on PostgreSQL, an FTS5
    table kept by triggers on SQLite; see migration 0006_m16_event_documents). The term weights
    are what scoring compares a report with.
    """

    event = models.OneToOneField("timeline.Event", primary_key=True, on_delete=models.CASCADE,
                                 related_name="match_document")
    document = models.TextField(blank=True)
    event_terms = models.JSONField(default=dict, help_text="{term: weight} of the title and summary")
    program_terms = models.JSONField(default=dict, help_text="{term: weight} of its programs' names and summaries")
    coverage_terms = models.JSONField(default=dict, help_text="{term: weight} of headlines citing or covering it")
    entities = models.JSONField(default=list, help_text="Entity keys the event is tagged with ('agency:3')")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Matching document of event {self.event_id}"

    @property
    def keys(self):
        """The terms and entity keys counted in MatchTerm (those the document holds)."""
        return set(self.event_terms) | set(self.coverage_terms) | set(self.entities)


class MatchTerm(models.Model):
    """How many event documents hold a term or entity key: the document frequency behind idf
    and entity specificity. Kept current with the documents, in the same transaction."""

    term = models.CharField(max_length=200, primary_key=True)
    events = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.term}: {self.events}"
