"""Versioned entries: this process's memory in front of the shared cache, never a stale answer."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from pilkades.env import LOCAL_MEMORY_CACHE
from pilkades.versioned_cache import versioned_get_or_set, versioned_get_or_set_many


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


def test_many_entries_ask_the_shared_cache_once_and_store_once(monkeypatch):
    # The board's three parts after a change: two round trips to the shared cache, not six.
    cache.set("uji:5:a1", b"dari server lain", 60)
    calls, depth = [], []

    def counted(name, method):
        def call(*args, **kwargs):
            if not depth:  # the local-memory backend's get_many calls its own get
                calls.append(name)
            depth.append(name)
            try:
                return method(*args, **kwargs)
            finally:
                depth.pop()

        return call

    for name in ("get", "get_many", "set", "set_many"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))
    build_b, built_b = _builder(b"b")
    build_c, built_c = _builder(b"c")
    builders = {"uji:5:a1": _builder(b"tidak dipakai")[0], "uji:5:b1": build_b, "uji:5:c1": build_c}
    values = versioned_get_or_set_many(builders, 60)
    assert values == {"uji:5:a1": b"dari server lain", "uji:5:b1": b"b", "uji:5:c1": b"c"}
    assert calls == ["get_many", "set_many"] and built_b == built_c == [1]
    assert cache.get("uji:5:c1") == b"c"
    calls.clear()
    assert versioned_get_or_set_many(builders, 60) == values and built_b == [1]
    # On Redis the process holds them now; without it the one tier is asked once more.
    assert calls in ([], ["get_many"])
