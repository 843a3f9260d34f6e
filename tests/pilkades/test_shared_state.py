"""State that must hold across workers and servers lives in Redis when REDIS_URL is set.

Another process stands in for another gunicorn worker or server: it starts Django from the
production settings with the same REDIS_URL and counts against the same limit.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.throttling import SimpleRateThrottle

from pilkades.testing import redis_url_for_worker
from pilkades.throttles import AnonRateThrottle

ROOT = Path(__file__).resolve().parents[2]

OTHER_PROCESS_THROTTLE = """
import json, django
django.setup()
from django.test import RequestFactory
from pilkades.throttles import AnonRateThrottle
from django.contrib.auth.models import AnonymousUser
request = RequestFactory().get("/api/v1/", REMOTE_ADDR="203.0.113.9")
request.user = AnonymousUser()
print(json.dumps([AnonRateThrottle().allow_request(request, None) for _ in range(2)]))
"""


def _in_other_process(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "pilkades.settings",
        "DJANGO_DEBUG": "1",
        # The same Redis database as this test process (or none, as here).
        "REDIS_URL": settings.CACHES["default"].get("LOCATION", ""),
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=60,
    )


@pytest.mark.redis
def test_the_default_cache_is_redis_when_redis_url_is_set():
    assert settings.CACHES["default"]["BACKEND"] == "pilkades.redis_cache.RedisCache"
    cache.set("probe", {"a": 1})
    assert cache.get("probe") == {"a": 1}
    with pytest.raises(ValueError):
        cache.incr("missing")  # the boundary version relies on this to start from 1


@pytest.mark.redis
def test_the_redis_cache_keeps_one_client_and_still_serves_every_call(monkeypatch):
    import redis

    built = []
    original = redis.Redis.__init__

    def counted(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)
    cache.get("warm")  # the write pool too: the same server, one pool each way
    cache.set("warm", 1)
    built.clear()
    for n in range(5):
        cache.set_many({f"k{n}": n, f"j{n}": [n]})
        assert cache.get_many([f"k{n}", f"j{n}"]) == {f"k{n}": n, f"j{n}": [n]}
        assert cache.incr(f"k{n}") == n + 1
    assert built == []


@pytest.mark.redis
def test_api_throttle_counts_are_shared_between_processes(monkeypatch):
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "anon": "3/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    request = RequestFactory().get("/api/v1/", REMOTE_ADDR="203.0.113.9")
    request.user = AnonymousUser()
    assert [AnonRateThrottle().allow_request(request, None) for _ in range(2)] == [True, True]

    other = _in_other_process(OTHER_PROCESS_THROTTLE, DJANGO_API_THROTTLE_ANON="3/min")

    assert other.returncode == 0, other.stderr
    # The limit is 3 a minute wherever the requests land: the other process allows only the third.
    assert json.loads(other.stdout.splitlines()[-1]) == [True, False]


@pytest.mark.redis
def test_a_cached_value_set_here_is_read_in_another_process():
    cache.set("ranking:probe", "halaman", 60)
    other = _in_other_process(
        "import django; django.setup()\nfrom django.core.cache import cache\n"
        "print(cache.get('ranking:probe'))"
    )
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip().splitlines()[-1] == "halaman"


def test_start_up_without_redis_says_the_state_is_per_process():
    started = _in_other_process("import pilkades.wsgi", REDIS_URL="")
    assert started.returncode == 0, started.stderr
    assert "REDIS_URL is not set" in started.stderr
    assert "one process only" in started.stderr


@pytest.mark.redis
def test_start_up_with_redis_says_nothing_about_it():
    started = _in_other_process("import pilkades.wsgi")
    assert started.returncode == 0, started.stderr
    assert "REDIS_URL" not in started.stderr


def test_a_redis_url_that_is_not_one_stops_start_up():
    started = _in_other_process("import pilkades.settings", REDIS_URL="http://cache:6379")
    assert started.returncode != 0
    assert "REDIS_URL='http://cache:6379' is not a Redis URL" in started.stderr


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/0", "gw0", "redis://127.0.0.1:6379/1"),
        ("redis://:pw@cache:6379", "gw1", "redis://:pw@cache:6379/2"),
        ("unix:///run/redis.sock?db=0", "gw2", "unix:///run/redis.sock?db=3"),
        # A run given its own database counts from it: two runs side by side never flush each other.
        ("rediss://cache:6380/5", None, "rediss://cache:6380/6"),
        ("redis://127.0.0.1:6379/8", "gw1", "redis://127.0.0.1:6379/10"),
        ("unix:///run/redis.sock?db=4", "gw0", "unix:///run/redis.sock?db=5"),
    ],
)
def test_each_test_worker_gets_its_own_redis_database(url, worker, expected):
    assert redis_url_for_worker(url, worker) == expected


@pytest.mark.redis
def test_this_test_worker_flushes_only_its_own_redis_database():
    import os

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    assert settings.CACHES["default"]["LOCATION"] == redis_url_for_worker(os.environ["REDIS_URL"], worker)
    assert not settings.CACHES["default"]["LOCATION"].endswith("/0")


def test_start_up_with_redis_and_jobs_in_web_threads_asks_for_the_job_worker():
    started = _in_other_process(
        "import pilkades.wsgi", REDIS_URL="redis://127.0.0.1:6379/0", PILKADES_JOBS_RUN="thread"
    )
    assert started.returncode == 0, started.stderr
    assert "PILKADES_JOBS_RUN=thread" in started.stderr and "pilkades-worker" in started.stderr
    with_worker = _in_other_process(
        "import pilkades.wsgi", REDIS_URL="redis://127.0.0.1:6379/0", PILKADES_JOBS_RUN="worker"
    )
    assert "PILKADES_JOBS_RUN" not in with_worker.stderr
