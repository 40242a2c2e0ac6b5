"""Ask the primary sources' JSON APIs through the feeds' safe fetcher (sources.fetch).

The fetcher gives the safeguards (SSRF checks, timeouts, size caps; loopback only with
FEED_ALLOW_LOOPBACK); this adds what an API run needs on top: a few attempts with backoff on a
429, a 5xx or a timeout, honouring Retry-After, and a clear error for a body that is not the
JSON object we asked for (an HTML error page, a truncated response).
"""
import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings

from sources.fetch import FetchError, fetch_feed

logger = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class SourceError(Exception):
    """A request to a primary source failed for good; the message is recorded on the watch."""

    def __init__(self, message, *, status=None, retry_after=None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass
class RequestCounter:
    """How many requests a run made (the benchmark and the run's summary print it)."""

    searches: int = 0
    details: int = 0

    @property
    def total(self):
        return self.searches + self.details


def get_json(url, *, payload=None, sleep=time.sleep):
    """GET `url` (or POST `payload` as JSON) and return the decoded JSON object.

    Retries a 429, a 5xx, a timeout or a refused connection up to RECORDS_FETCH_ATTEMPTS times,
    waiting RECORDS_RETRY_BACKOFF seconds doubled each time, or the server's Retry-After when
    longer (beyond RECORDS_MAX_RETRY_WAIT the run stops instead). Raises SourceError.
    Hits the network.
    """
    body = json.dumps(payload).encode() if payload is not None else None
    method = "POST" if payload is not None else "GET"
    attempts = settings.RECORDS_FETCH_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            fetched = fetch_feed(url, method=method, json_body=body, accept="application/json")
        except FetchError as exc:
            # Worth another try: the server's own refusals (429, 5xx), a timeout, a dropped connection.
            transient = exc.status in RETRY_STATUSES or (
                exc.status is None and ("timed out" in str(exc) or str(exc).startswith("cannot fetch")))
            wait = settings.RECORDS_RETRY_BACKOFF * 2 ** (attempt - 1)
            if exc.retry_after is not None:
                wait = max(wait, exc.retry_after.total_seconds())
            if not transient or attempt == attempts or wait > settings.RECORDS_MAX_RETRY_WAIT:
                raise SourceError(f"{method} {url}: {exc}" + (f" (after {attempt} attempts)" if attempt > 1 else ""),
                                  status=exc.status, retry_after=exc.retry_after) from None
            logger.info("%s %s failed (%s); attempt %s of %s in %.1f s", method, url, exc, attempt + 1, attempts, wait)
            sleep(wait)
            continue
        return decode_json_object(fetched.body, fetched.content_type, f"{method} {url}")
    raise AssertionError("unreachable")


def decode_json_object(body, content_type, what):
    """Decode a JSON object; raise SourceError naming what came instead."""
    if "html" in (content_type or "").lower() or body.lstrip()[:1] == b"<":
        raise SourceError(f"{what}: expected JSON, got an HTML page ({content_type or 'no Content-Type'})")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"{what}: malformed or truncated JSON ({len(body)} bytes): {exc}") from None
    if not isinstance(data, dict):
        raise SourceError(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data
