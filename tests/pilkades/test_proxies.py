"""Behind a reverse proxy the lockout and the throttles see the client, never the proxy.

PILKADES_TRUSTED_PROXIES says how many proxies in front of the app append to X-Forwarded-For; the
client is the address the outermost trusted one wrote. With 0 (the default: the app faces the
clients) the header is the client's own word and is ignored.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from pilkades.client_ip import client_ip
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Benar-Sekali-2019!"
PROXY = "10.0.0.2"  # nginx, as the app sees it


@pytest.fixture
def kabag(db):
    user = UserFactory(username="kabag.ops")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def proxies(settings):
    """proxies(n): the app behind n trusted proxies (the setting and what it feeds DRF)."""

    def behind(count: int) -> None:
        settings.PILKADES_TRUSTED_PROXIES = count
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}
        assert count == api_settings.NUM_PROXIES

    return behind


@pytest.fixture
def tight_anon_rate(monkeypatch):
    cache.clear()
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "anon": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


def _login(client: Client, password: str, forwarded_for: str):
    return client.post(
        reverse("login"),
        {"username": "kabag.ops", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_five_bad_logins_from_one_client_do_not_lock_out_another(kabag, proxies):
    proxies(1)
    attacker = Client()
    codes = [_login(attacker, "salah", "203.0.113.5").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]  # the attacker's address is locked

    owner = Client()
    assert _login(owner, PASSWORD, "198.51.100.7").status_code == 302
    assert _login(attacker, PASSWORD, "203.0.113.5").status_code == 429


def test_the_client_is_the_address_the_trusted_proxy_wrote_not_what_the_client_sent(kabag, proxies):
    proxies(1)
    attacker = Client()
    # nginx appends the peer it saw to whatever the client sent: the forged part comes first.
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        last = _login(attacker, "salah", f"{forged}, 203.0.113.5")
    assert last.status_code == 429
    assert _login(Client(), PASSWORD, "9.9.9.9, 203.0.113.5").status_code == 429


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_lockout(kabag, proxies):
    proxies(0)
    attacker = Client()
    codes = [_login(attacker, "salah", f"203.0.113.{n}").status_code for n in range(5)]
    assert codes[-1] == 429
    assert _login(attacker, PASSWORD, "198.51.100.7").status_code == 429


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_throttle(db, tight_anon_rate):
    """The default configuration: each request naming a new X-Forwarded-For must not get a new count."""
    url = reverse("schema")
    client = Client()
    codes = [
        client.get(url, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.1.1.{n}").status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]


def test_behind_a_proxy_the_throttle_counts_each_client_apart(db, proxies, tight_anon_rate):
    proxies(1)
    url = reverse("schema")
    client = Client()

    def get(forwarded_for):
        return client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    assert [get("203.0.113.5") for _ in range(3)] == [200, 200, 429]
    assert get("198.51.100.7") == 200
    assert get("1.2.3.4, 203.0.113.5") == 429  # a forged first entry changes nothing


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, "198.51.100.7", PROXY),
        (1, None, PROXY),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "198.51.100.7"),  # a shorter chain: the outermost entry
        (1, "not-an-address", PROXY),  # never store garbage as the client's address
    ],
)
def test_client_ip(rf, settings, count, forwarded_for, expected):
    settings.PILKADES_TRUSTED_PROXIES = count
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, **headers)) == expected


def _settings_in(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", f"import pilkades.settings as s; print({expression})"],
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_one_setting_feeds_the_lockout_and_the_throttles():
    result = _settings_in(
        {"PILKADES_TRUSTED_PROXIES": "2"},
        "s.PILKADES_TRUSTED_PROXIES, s.REST_FRAMEWORK['NUM_PROXIES'], s.AXES_CLIENT_IP_CALLABLE",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 2 pilkades.client_ip.client_ip"


def test_by_default_no_proxy_is_trusted():
    result = _settings_in({}, "s.PILKADES_TRUSTED_PROXIES, s.REST_FRAMEWORK['NUM_PROXIES']")
    assert result.stdout.strip() == "0 0", result.stderr


def test_a_negative_proxy_count_stops_start_up():
    result = _settings_in({"PILKADES_TRUSTED_PROXIES": "-1"}, "1")
    assert result.returncode != 0
    assert "PILKADES_TRUSTED_PROXIES" in result.stderr
