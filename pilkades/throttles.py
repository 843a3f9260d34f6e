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

On Redis the whole step is one script run by the server (one round trip instead of the five the
cache API needs: on one server that was a third of the cached ranking page's throughput). The
window is then one hash, ``opened`` and ``count``, expiring with the window. Even one round trip per
request cost two servers a fifth of the ranking page's throughput, so a process takes a lease: the
script hands out up to 1/LEASE_SHARE of what is left of the window (at most LEASE_MAX, at least
one) and counts it as spent; the process spends it from its own memory. The window still never
passes more than the limit; what a process holds when the client stops coming to it is lost for
that window, and as the window fills the leases shrink to one request, so that loss stays small
(tests/pilkades/test_throttles.py: within 2 % over four processes).
"""

from __future__ import annotations

import math

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling

# KEYS[1]: the client's window; ARGV: now (seconds), the window's length (milliseconds), the limit.
# Returns how many requests the caller may pass (0: refused), and when the window opened.
LEASE_SHARE = 64
LEASE_MAX = 50
WINDOW_SCRIPT = f"""
if redis.call('HSETNX', KEYS[1], 'opened', ARGV[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local left = tonumber(ARGV[3]) - tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
local lease = 0
if left > 0 then
  lease = math.max(1, math.min({LEASE_MAX}, math.floor(left / {LEASE_SHARE})))
  redis.call('HINCRBY', KEYS[1], 'count', lease)
end
return {{lease, redis.call('HGET', KEYS[1], 'opened')}}
"""


def _window_script(cache: RedisCache):
    """The script, registered once per cache backend with a client on Django's own (writable) pool.

    redis-py runs it by its SHA and loads it again after a Redis restart (NOSCRIPT). It keeps the
    client it was registered with (``pilkades.redis_cache`` keeps one per pool too; Django's own
    backend built a new one on every call, 0.17 ms each: 4 % of a check-in request).
    """
    script = cache.__dict__.get("_window_script")
    if script is None:
        script = cache._window_script = cache._cache.get_client(write=True).register_script(WINDOW_SCRIPT)
    return script


def _redis_lease(
    cache: RedisCache, full_key: str, now: float, duration: float, limit: int
) -> tuple[int, float]:
    script = _window_script(cache)
    lease, opened = script(keys=[full_key], args=[repr(now), max(math.ceil(duration * 1000), 1), limit])
    return int(lease), float(opened)


class AtomicWindowMixin:
    """For a SimpleRateThrottle: the same rates, cache keys and identities, counted atomically."""

    lease_cache = None  # where this process keeps its leases; None: the "throttle_leases" cache

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
            return self._allow_on_redis(backend, now)
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

    def _allow_on_redis(self, backend: RedisCache, now: float) -> bool:
        full_key = backend.make_and_validate_key(f"{self.key}:window")
        local = self.lease_cache or caches["throttle_leases"]
        try:
            # Atomic in local memory; a missing (or expired) lease raises.
            if local.decr(f"{full_key}:lease") >= 0:
                return True
        except ValueError:
            pass
        lease, started = _redis_lease(backend, full_key, now, self.duration, self.num_requests)
        self.window_ends_at = started + self.duration
        if lease == 0:
            return self.throttle_failure()
        if lease > 1 and self.window_ends_at > now:
            # Overwrites a lease another thread of this process took meanwhile: lost, never doubled.
            local.set(f"{full_key}:lease", lease - 1, timeout=self.window_ends_at - now)
        return True

    def wait(self) -> float | None:
        """Seconds until the window ends (Retry-After)."""
        return max(self.window_ends_at - self.timer(), 1.0)


class AnonRateThrottle(AtomicWindowMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(AtomicWindowMixin, throttling.UserRateThrottle):
    pass


class SimpleRateThrottle(AtomicWindowMixin, throttling.SimpleRateThrottle):
    """Base for a throttle of its own scope (the token endpoint's per-address attempts)."""
