"""What one sync run of a watch counts, and how its end is recorded on the watch: shared by the
award and Federal Register syncs."""
from dataclasses import dataclass, field

from django.utils import timezone

from records.client import RequestCounter

# How many of a run's skipped items its watch keeps as the warning curators read.
PROBLEMS_KEPT = 50


@dataclass
class SyncResult:
    """A run's counts; subclasses add their own and say them in `counts()`."""

    outcome: str = "ok"  # "ok" or "failed"
    pages: int = 0
    seen: int = 0
    created: int = 0
    problems: list = field(default_factory=list)
    requests: RequestCounter = field(default_factory=RequestCounter)
    error: str = ""
    status: int | None = None

    def counts(self):
        raise NotImplementedError

    def __str__(self):
        return self.counts() + (f"; failed: {self.error}" if self.error else "")

    def fail(self, exc, watch=None):
        """End the run as failed by `exc` (a source error or an unusable page), recorded on
        `watch` with the source's status and Retry-After when it gave them."""
        self.outcome, self.error, self.status = "failed", str(exc), getattr(exc, "status", None)
        if watch is not None:
            watch.record_failure(timezone.now(), self.error, status=self.status,
                                 retry_after=getattr(exc, "retry_after", None), summary=str(self))
            watch.save()
        return self

    def succeed(self, watch=None):
        """End the run as complete, recorded on `watch` (whose cursor the caller has moved)."""
        if watch is not None:
            watch.record_success(timezone.now(), str(self), warning="\n".join(self.problems[:PROBLEMS_KEPT]))
            watch.save()
        return self
