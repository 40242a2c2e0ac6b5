"""Version counters for the content the API serves, one per topic, kept in Django's cache.

A cached API response is keyed by the counters of the topics it shows (timeline.api.response_cache),
so bumping a counter retires every response built before the change without finding them:
- `timeline`: the curated records (the `timeline` app: events, programs, sources, citations, claims...);
- `reports`: feed reports and their links to events, which change with every poll and matching
  batch; only the reports endpoint reads them, so matching never empties the events cache.

Saves, deletes and many-to-many changes bump through the signal receiver, connected per sender
in timeline/apps.py; update(), bulk_create() and bulk_update() of a TrackedQuerySet (curated
records, reports, links) call record_change(); raw SQL writers call it themselves. Counters start from the clock, so one
evicted from the cache never comes back at a value an old response was stored under.
"""
import time

from django.core.cache import cache
from django.db import models

from timeline import page_cache

TIMELINE, REPORTS = "timeline", "reports"
REPORT_MODELS = {"sources.report", "sources.reporteventlink"}
KEY = "timeline:api-version:{}"


def topic_of(model):
    """Return the topic a change to `model` affects, or None (feeds, history rows...)."""
    label = model._meta.label_lower
    if label in REPORT_MODELS:
        return REPORTS
    if model._meta.app_label == "timeline" and not model._meta.model_name.startswith("historical"):
        return TIMELINE
    return None


def current(topics):
    """Return the counters of `topics` as a tuple (one cache read; starts missing ones)."""
    keys = [KEY.format(topic) for topic in topics]
    found = cache.get_many(keys)
    versions = []
    for key in keys:
        if key not in found:
            fresh = time.time_ns()
            found[key] = fresh if cache.add(key, fresh, None) else cache.get(key, fresh)
        versions.append(found[key])
    return tuple(versions)


def bump(topic):
    """Retire every cached response that shows `topic`."""
    key = KEY.format(topic)
    try:
        cache.incr(key)
    except ValueError:  # never set, or evicted
        cache.set(key, time.time_ns(), None)


def record_change(model):
    """Tell the API's and the pages' caches that rows of `model` changed (bulk writes)."""
    topic = topic_of(model)
    if topic is not None:
        bump(topic)
    page_cache.bump_on_change(model)


def bump_on_change(sender, **kwargs):
    """Signal receiver (post_save, post_delete, m2m_changed), connected per watched sender."""
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed fires pre_ and post_ actions; one bump is enough
    bump(topic_of(sender))


def watched_models(models):
    """Return those of `models` whose changes bump a topic."""
    return [model for model in models if topic_of(model) is not None]


class TrackedQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes, which send no signals, still tell the caches."""

    def update(self, **kwargs):
        count = super().update(**kwargs)
        record_change(self.model)
        return count

    def bulk_create(self, *args, **kwargs):
        created = super().bulk_create(*args, **kwargs)
        record_change(self.model)
        return created

    def bulk_update(self, *args, **kwargs):
        count = super().bulk_update(*args, **kwargs)
        record_change(self.model)
        return count
