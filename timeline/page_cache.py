"""Cache rendered public pages, invalidated as a whole whenever any record changes.

Every public page is the same for every visitor (the public sees published records only, and
pages carry no per-user content), so a page can be cached by its URL. The cache key includes a
global *content version*: any save, delete or many-to-many change of a timeline or sources model
bumps it, and every page cached before the change is simply never asked for again (it expires
on its own). That is coarse but safe: a corrected date or a retracted source is visible on the
next request, on every page that shows it.

Writes that send no signals (QuerySet.update(), bulk_create()) must call
bump_content_version() themselves; PAGE_CACHE_SECONDS bounds how long anything can stay stale.
"""
import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache

CONTENT_VERSION_KEY = "timeline:content-version"
WATCHED_APPS = {"timeline", "sources"}
# Models whose changes never show on a public page. Feeds change on every poll and reports are
# shown only through their links to events, so with many feeds bumping on either would empty
# the cache every few seconds; a report that gets attached bumps through its link.
UNWATCHED_MODELS = {"sources.feed", "sources.report", "sources.reportfingerprint", "sources.reviewdecision"}


def content_version():
    """Return the current content version (one cache read; starts the counter if missing)."""
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        # A fresh value never used before, so pages cached under an evicted counter stay dead.
        version = time.time_ns()
        if not cache.add(CONTENT_VERSION_KEY, version, None):
            version = cache.get(CONTENT_VERSION_KEY, version)
    return version


def bump_content_version():
    """Invalidate every cached page."""
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:  # the counter was never set or was evicted
        cache.set(CONTENT_VERSION_KEY, time.time_ns(), None)


def is_watched(model):
    """Whether changes to `model` can show on a public page."""
    return model._meta.app_label in WATCHED_APPS and model._meta.label_lower not in UNWATCHED_MODELS


def watched_models(models):
    """Return those of `models` whose changes invalidate pages (connected per sender in apps.py)."""
    return [model for model in models if is_watched(model)]


def bump_on_change(sender, **kwargs):
    """Signal receiver: bump the version when a watched model changes.

    It bumps at once, not on commit: on_commit callbacks would show up in other code's
    transaction tests. The cost is a narrow race: a page another request renders from
    pre-commit data between the last write of a transaction and its commit may be cached under
    the new version; it lives until the next change or PAGE_CACHE_SECONDS.
    """
    if not is_watched(sender):
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed fires pre_ and post_ actions; one bump is enough
    bump_content_version()


def page_key(request):
    # The host is part of the key: feeds and the sitemap build absolute URLs from it.
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"timeline:page:{content_version()}:{digest}"


def cache_public_page(view):
    """Serve a public GET page from the cache when it was rendered since the last change."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = getattr(settings, "PAGE_CACHE_SECONDS", 300)
        if request.method not in ("GET", "HEAD") or seconds <= 0:
            return view(request, *args, **kwargs)
        key = page_key(request)
        cached = cache.get(key)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return cached
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            cache.set(key, response, seconds)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper
