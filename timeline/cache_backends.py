"""The shared Redis cache (django-redis), with a small per-process cache while Redis is down.

django-redis with IGNORE_EXCEPTIONS fails open: a read from an unreachable Redis is a miss and a
write is dropped. Alone, that turns a Redis outage into "no cache", and every page request renders
afresh (the timeline page's p99 went from 26 ms to 3 s under load). So the operations of Django's
cache API (the ones page caching, API response caching and DRF throttles use) go to a small
LocMemCache in this process while Redis is unreachable, and Redis is left alone for
`FALLBACK_RETRY_AFTER` seconds so that requests do not each pay a connection timeout.

So that the fallback is warm when Redis goes, what this process writes to Redis or reads from
it is copied into it; it is read only while Redis is unreachable.
Its entries live at most `FALLBACK_TIMEOUT` seconds: during an outage a process may serve a
page up to that much older than an edit made elsewhere, and it does not see other processes'
invalidations. Other django-redis methods (keys, ttl, delete_pattern, ...) fail open through
IGNORE_EXCEPTIONS.

When Redis answers again and this process invalidated anything meanwhile (a delete, an incr of
a content version, a clear), the shared cache is cleared once, since the invalidation never
reached it.
"""
import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)


class RedisCacheWithLocalFallback(RedisCache):
    """django-redis's RedisCache; a per-process LocMemCache answers while Redis is unreachable."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("FALLBACK_RETRY_AFTER", 5))
        self.fallback_timeout = float(options.pop("FALLBACK_TIMEOUT", 60))
        fallback_entries = int(options.pop("FALLBACK_MAX_ENTRIES", 500))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.local = LocMemCache(f"redis-fallback-{id(self)}", {
            "TIMEOUT": self.fallback_timeout, "OPTIONS": {"MAX_ENTRIES": fallback_entries},
        })
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._missed_invalidation = False

    # --- Redis's state -------------------------------------------------------------------------

    @property
    def using_fallback(self):
        """Whether Redis was found unreachable less than `retry_after` seconds ago."""
        return time.monotonic() < self._down_until

    def _redis_failed(self, exc):
        with self._lock:
            if not self.using_fallback:
                logger.warning("cache: Redis unreachable (%s); using a per-process cache for %ss",
                               exc.__cause__ or exc, self.retry_after)
            self._down_until = time.monotonic() + self.retry_after

    def _reach_redis(self, operation, *args, **kwargs):
        """Run a django-redis client operation; raise ConnectionInterrupted if Redis is unreachable."""
        if self._down_until:
            self._recover()
        return getattr(self.client, operation)(*args, **kwargs)

    def _recover(self):
        """After an outage, once Redis answers: clear what the outage left stale.

        The local cache is emptied, and the shared one too when this process invalidated
        something meanwhile. Raises ConnectionInterrupted, touching nothing, while Redis is still
        unreachable.
        """
        self.client.has_key("timeline:cache-probe")  # one round trip
        if self._missed_invalidation:
            self.client.clear()
            logger.warning("cache: Redis is back; cleared it of what was invalidated while it was down")
        with self._lock:
            self._down_until = 0.0
            self._missed_invalidation = False
        self.local.clear()

    def _call(self, operation, args, kwargs, invalidates=False, local_kwargs=None):
        """Run `operation` on Redis, or on the local cache while Redis is unreachable."""
        if not self.using_fallback:
            try:
                return self._reach_redis(operation, *args, **kwargs)
            except ConnectionInterrupted as exc:
                self._redis_failed(exc)
        if invalidates:
            self._missed_invalidation = True
        return getattr(self.local, operation)(*args, **(kwargs if local_kwargs is None else local_kwargs))

    def _keep_locally(self, key, value, version):
        self.local.set(key, value, self.fallback_timeout, version)

    def _local_timeout(self, timeout):
        """Cap a timeout for the fallback: its entries are not shared, so they must not live long."""
        if timeout is DEFAULT_TIMEOUT or timeout is None:
            return self.fallback_timeout
        return min(timeout, self.fallback_timeout)

    def ping(self):
        """Raise when Redis does not answer (used by /healthz); ignores the fallback pause."""
        self.client.get_client(write=True).ping()

    # --- Django's cache API ----------------------------------------------------------------------

    def get(self, key, default=None, version=None, client=None):
        missing = object()
        value = self._call("get", (key,), {"default": missing, "version": version})
        if value is missing:
            return default
        if not self.using_fallback:
            # Every read refreshes the copy: a content version read here must not be older in the
            # fallback than in Redis, or the fallback would miss the pages made under the new one.
            self._keep_locally(key, value, version)
        return value

    def get_many(self, keys, version=None):
        return self._call("get_many", (keys,), {"version": version})

    def has_key(self, key, version=None):
        return self._call("has_key", (key,), {"version": version})

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.local.set(key, value, self._local_timeout(timeout), version)
        if not self.using_fallback:
            try:
                return self._reach_redis("set", key, value, timeout=timeout, version=version)
            except ConnectionInterrupted as exc:
                self._redis_failed(exc)
        return True

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        added = self._call("add", (key, value), {"timeout": timeout, "version": version},
                           local_kwargs={"timeout": self._local_timeout(timeout), "version": version})
        if added and not self.using_fallback:
            self.local.set(key, value, self._local_timeout(timeout), version)
        return added

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        self.local.set_many(data, self._local_timeout(timeout), version)
        if not self.using_fallback:
            try:
                return self._reach_redis("set_many", data, timeout=timeout, version=version)
            except ConnectionInterrupted as exc:
                self._redis_failed(exc)
        return []

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", (key,), {"timeout": timeout, "version": version})

    def incr(self, key, delta=1, version=None):
        # A content version bumped is an invalidation; a rate limit's counter (the API throttles'
        # keys start "throttle_") is not, or every outage with traffic would empty the cache.
        value = self._call("incr", (key,), {"delta": delta, "version": version},
                           invalidates=not str(key).startswith("throttle_"))
        if not self.using_fallback:
            self._keep_locally(key, value, version)
        return value

    def decr(self, key, delta=1, version=None):
        return self.incr(key, -delta, version)

    def delete(self, key, version=None):
        self.local.delete(key, version)
        return bool(self._call("delete", (key,), {"version": version}, invalidates=True))

    def delete_many(self, keys, version=None):
        self.local.delete_many(keys, version)
        return self._call("delete_many", (keys,), {"version": version}, invalidates=True)

    def clear(self):
        return self._call("clear", (), {}, invalidates=True)
