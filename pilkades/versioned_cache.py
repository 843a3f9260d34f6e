"""Entries whose key carries the version of what they hold, kept in two tiers.

The key is built from a version read from the database on every request (an operation's ranking
version, the board's counters), so an entry is never wrong: after a change the key is another one.
Such entries can therefore sit in the process's own memory in front of the shared cache (Redis):
the hot ones are served without a round trip, and a miss falls back to Redis, then to ``build``.
Without Redis the shared cache is itself local memory and the second tier is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches

from pilkades.env import LOCAL_MEMORY_CACHE


def versioned_get_or_set(key: str, build: Callable[[], Any], timeout: int) -> Any:
    """The value under ``key`` (which must carry a version), from this process, the shared cache or
    ``build()``; an exception raised by ``build`` caches nothing."""
    local = None if settings.CACHES["default"]["BACKEND"] == LOCAL_MEMORY_CACHE else caches["process"]
    value = local.get(key) if local is not None else None
    if value is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    if local is not None:
        local.set(key, value, timeout)
    return value
