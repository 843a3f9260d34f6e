"""Versioned entries: this process's memory in front of the shared cache, never a stale answer."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from pilkades.env import LOCAL_MEMORY_CACHE
from pilkades.versioned_cache import versioned_get_or_set


def _builder(value):
    calls = []

    def build():
        calls.append(1)
        return value

    return build, calls


@pytest.mark.redis
def test_on_redis_a_hot_entry_is_served_from_this_process_without_the_shared_cache():
    assert settings.CACHES["default"]["BACKEND"] != LOCAL_MEMORY_CACHE
    build, calls = _builder(b"halaman")
    assert versioned_get_or_set("uji:1:v1", build, 60) == b"halaman"
    cache.delete("uji:1:v1")  # gone from Redis: the process still has it
    assert versioned_get_or_set("uji:1:v1", build, 60) == b"halaman"
    assert calls == [1]


@pytest.mark.redis
def test_on_redis_an_entry_another_server_built_is_taken_from_the_shared_cache():
    cache.set("uji:2:v7", b"dari server lain", 60)
    build, calls = _builder(b"dibangun di sini")
    assert versioned_get_or_set("uji:2:v7", build, 60) == b"dari server lain"
    assert calls == [] and caches["process"].get("uji:2:v7") == b"dari server lain"
    # The next version is another key: built once, whatever the older one held.
    assert versioned_get_or_set("uji:2:v8", build, 60) == b"dibangun di sini" and calls == [1]


def test_a_failed_build_caches_nothing():
    def broken():
        raise RuntimeError("gagal")

    with pytest.raises(RuntimeError):
        versioned_get_or_set("uji:3:v1", broken, 60)
    assert cache.get("uji:3:v1") is None and caches["process"].get("uji:3:v1") is None


def test_without_redis_the_shared_cache_is_the_only_tier(settings):
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": LOCAL_MEMORY_CACHE}}
    build, calls = _builder(b"x")
    versioned_get_or_set("uji:4:v1", build, 60)
    assert caches["process"].get("uji:4:v1") is None and calls == [1]
