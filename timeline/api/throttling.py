"""The API's rate limits: DRF's throttles (scopes, rates, client keys, 429 with Retry-After),
counted with one cache increment a request instead of DRF's list of request times.

DRF's SimpleRateThrottle keeps the time of every request in the window as one list in the cache,
read and written back whole on every request: up to `rate` floats (2,000 at the default user
rate) pickled both ways each time, and across gunicorn workers sharing Redis a read-modify-write
that loses counts. Profiling a list answered from the response cache (bench/api.py) found the
two throttles of an anonymous request costing more than all the rest of the view. Here a client
has one counter per fixed window (`cache.incr`, atomic in Redis). The price of fixed windows: a
client may spend one window's allowance at its end and the next window's at its start, so a
burst can reach twice the rate across a boundary; over any longer span the rate holds.
"""
from rest_framework import throttling


class FixedWindowThrottle(throttling.SimpleRateThrottle):
    """Allow `num_requests` per window of `duration` seconds, counted in the cache. Listed after
    the DRF class it counts for, so that a ScopedRateThrottle reads its scope's rate first."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window_key = f"{self.key}:{int(self.now // self.duration)}"
        try:
            count = self.cache.incr(window_key)
        except ValueError:  # the window's first request (or its counter was evicted)
            self.cache.add(window_key, 0, self.duration + 1)
            count = self.cache.incr(window_key)
        return count <= self.num_requests

    def wait(self):
        """Seconds until the window ends and the client may send again."""
        return self.duration - self.now % self.duration


class AnonRateThrottle(throttling.AnonRateThrottle, FixedWindowThrottle):
    """Anonymous readers, per client address, at the `anon` rate."""


class UserRateThrottle(throttling.UserRateThrottle, FixedWindowThrottle):
    """Readers with a token or a session, per user, at the `user` rate. Anonymous readers have
    the anon rate alone: DRF's UserRateThrottle would count them a second time, by address, at
    the higher user rate, which never limits anything the anon rate has not."""

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class ExportThrottle(throttling.ScopedRateThrottle, FixedWindowThrottle):
    """CSV exports have their own, lower rate (`API_EXPORT_RATE`): one streams every row."""

    scope_attr = "export_throttle_scope"
