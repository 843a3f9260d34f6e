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

On Redis the whole step is one script run by the server (one round trip per request instead of the
five the cache API needs: on one server that was a third of the cached ranking page's throughput).
The window is then one hash, ``opened`` and ``count``, expiring with the window.
"""

from __future__ import annotations

import math

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling

# KEYS[1]: the client's window; ARGV: now (seconds), the window's length (milliseconds).
# Returns the window's count with this request, and when it opened.
WINDOW_SCRIPT = """
if redis.call('HSETNX', KEYS[1], 'opened', ARGV[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
return {count, redis.call('HGET', KEYS[1], 'opened')}
"""
_scripts = {}


def _redis_window(cache: RedisCache, key: str, now: float, duration: float) -> tuple[int, float]:
    full_key = cache.make_and_validate_key(f"{key}:window")
    client = cache._cache.get_client(full_key, write=True)  # Django's own client and pool
    script = _scripts.get(id(client.connection_pool))
    if script is None:
        # redis-py runs it by its SHA and loads it again after a Redis restart (NOSCRIPT).
        script = _scripts[id(client.connection_pool)] = client.register_script(WINDOW_SCRIPT)
    count, opened = script(keys=[full_key], args=[repr(now), max(math.ceil(duration * 1000), 1)])
    return int(count), float(opened)


class AtomicWindowMixin:
    """For a SimpleRateThrottle: the same rates, cache keys and identities, counted atomically."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        # DRF's throttles hold Django's ``cache`` proxy; the backend behind it says who counts.
        backend = caches[DEFAULT_CACHE_ALIAS] if self.cache is default_cache else self.cache
        if isinstance(backend, RedisCache):
            count, started = _redis_window(backend, self.key, now, self.duration)
            self.window_ends_at = started + self.duration
            return count <= self.num_requests or self.throttle_failure()
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
