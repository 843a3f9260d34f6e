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
    return versioned_get_or_set_many({key: build}, timeout)[key]


def versioned_get_or_set_many(builders: dict[str, Callable[[], Any]], timeout: int) -> dict[str, Any]:
    """``versioned_get_or_set`` for several keys (key: its build) at once: what this process lacks
    is asked of the shared cache in one round trip, and what was built is stored in one more (the
    board's three parts after a change: two round trips to Redis, not six)."""
    local = None if settings.CACHES["default"]["BACKEND"] == LOCAL_MEMORY_CACHE else caches["process"]
    values = local.get_many(list(builders)) if local is not None else {}
    missing = [key for key in builders if key not in values]
    if missing:
        found = cache.get_many(missing)
        built = {key: builders[key]() for key in missing if key not in found}
        if built:
            cache.set_many(built, timeout)
        found.update(built)
        if local is not None:
            local.set_many(found, timeout)
        values.update(found)
    return values
