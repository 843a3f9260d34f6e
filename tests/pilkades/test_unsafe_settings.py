"""Start-up refuses an unsafe production configuration, with one message naming every problem."""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_urlsafe(60)
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": GOOD_KEY,
    "DJANGO_ALLOWED_HOSTS": "ops.polres.example",
}


def _start(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "pilkades.settings", **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def _refusal(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, "start-up went on"
    raised = [line for line in result.stderr.splitlines() if line.startswith("django.core.exceptions.")]
    assert raised == [
        "django.core.exceptions.ImproperlyConfigured: Unsafe production configuration, start-up stopped:"
    ]
    return result.stderr


def test_a_sound_production_configuration_starts():
    result = _start(**PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "kunci-pendek",
        "x" * 60,  # long, but one character repeated
        "django-insecure-" + secrets.token_urlsafe(50),  # Django's startproject key
        "…50+ random characters…",  # the README's placeholder, pasted as is
    ],
    # Fixed ids: the random key must not make the xdist workers collect different test names.
    ids=["short", "one-character", "django-insecure", "readme-placeholder"],
)
def test_a_short_or_default_secret_key_is_refused(key):
    stderr = _refusal(_start(**{**PRODUCTION, "DJANGO_SECRET_KEY": key}))
    assert "DJANGO_SECRET_KEY" in stderr
    assert key not in stderr  # the message never repeats the secret


def test_empty_allowed_hosts_are_refused():
    env = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_ALLOWED_HOSTS"}
    assert "DJANGO_ALLOWED_HOSTS" in _refusal(_start(**env))
    assert "DJANGO_ALLOWED_HOSTS" in _refusal(_start(**env, DJANGO_ALLOWED_HOSTS=" , "))


def test_every_problem_is_named_in_the_one_message():
    stderr = _refusal(_start(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="pendek"))
    assert "DJANGO_SECRET_KEY" in stderr
    assert "DJANGO_ALLOWED_HOSTS" in stderr


@pytest.mark.parametrize(
    "url",
    ["postgresql://pilkades:rahasia@db.polda.example:5432/pilkades", "postgres://u@10.20.0.5/pilkades"],
)
def test_debug_against_a_remote_postgresql_is_refused(url):
    stderr = _refusal(_start(DJANGO_DEBUG="1", DATABASE_URL=url))
    assert "DJANGO_DEBUG" in stderr
    assert "rahasia" not in stderr  # nor the database password


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@127.0.0.1:5432/pilkades",
        "postgresql://postgres@localhost/pilkades",
        "postgresql://postgres@[::1]:5432/pilkades",
        "postgresql:///pilkades",  # the local socket
    ],
)
def test_debug_against_a_local_postgresql_is_allowed(url):
    result = _start(DJANGO_DEBUG="1", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
