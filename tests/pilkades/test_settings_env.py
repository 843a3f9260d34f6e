import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pilkades.env import env_bool, env_int, env_list, env_time_zone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False), ("false", False), ("", False)],
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", default=not expected) is expected


def test_env_bool_rejects_garbage_with_the_variable_name(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", default=False)


def test_env_int_rejects_non_numbers(monkeypatch):
    monkeypatch.setenv("X_NUM", "eight")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 1)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,, ")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", **env}
    return subprocess.run(
        [sys.executable, "-c", "import pilkades.settings"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_production_start_without_secret_key_stops_with_clear_message():
    result = _import_settings({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_start_without_secret_key_is_allowed():
    result = _import_settings({"DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def test_bad_debug_value_stops_start_up():
    result = _import_settings({"DJANGO_DEBUG": "kadang"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_a_polres_outside_wib_sets_its_time_zone(monkeypatch):
    monkeypatch.setenv("X_TZ", "Asia/Makassar")
    assert env_time_zone("X_TZ", "Asia/Jakarta") == "Asia/Makassar"
    monkeypatch.delenv("X_TZ")
    assert env_time_zone("X_TZ", "Asia/Jakarta") == "Asia/Jakarta"


def test_an_unknown_time_zone_stops_start_up_naming_the_variable(monkeypatch):
    monkeypatch.setenv("X_TZ", "WITA")
    with pytest.raises(ImproperlyConfigured, match=r"X_TZ.*Asia/Makassar"):
        env_time_zone("X_TZ", "Asia/Jakarta")


def test_the_settings_take_the_time_zone_from_the_environment():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.TIME_ZONE)"],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_DEBUG": "1",
            "DJANGO_TIME_ZONE": "Asia/Jayapura",
            "DJANGO_SETTINGS_MODULE": "pilkades.settings",
        },
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "Asia/Jayapura", result.stderr
