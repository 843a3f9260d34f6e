"""Hardening that holds: login lockout, API throttling, CSP, production settings."""

import datetime
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Benar-Sekali-2019!"


@pytest.fixture
def officer_user(db):
    user = UserFactory(username="bripka.ahmad")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, password):
    return client.post(reverse("login"), {"username": "bripka.ahmad", "password": password})


def test_login_locks_after_five_failures_even_with_the_right_password(client, officer_user):
    for _ in range(4):
        response = _login(client, "salah")
        assert response.status_code == 200  # the form again, with its error
    assert _login(client, "salah").status_code == 429  # the fifth failure locks
    locked = _login(client, PASSWORD)
    assert locked.status_code == 429
    assert "dikunci sementara" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_successful_login_before_the_limit_resets_the_count(client, officer_user):
    for _ in range(4):
        _login(client, "salah")
    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "salah")
    assert _login(client, PASSWORD).status_code == 302


def test_api_token_endpoint_is_locked_out_too(api_client, officer_user):
    url = reverse("api-token")
    assert "token" in api_client.post(url, {"username": "bripka.ahmad", "password": PASSWORD}).json()
    wrong = {"username": "bripka.ahmad", "password": "x"}
    codes = [api_client.post(url, wrong).status_code for _ in range(5)]
    assert codes == [400, 400, 400, 400, 429]  # the fifth failure locks
    locked = api_client.post(url, {"username": "bripka.ahmad", "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "token" not in locked.json()


@pytest.fixture
def tight_rates(monkeypatch):
    # Counts live in the cache and user ids repeat across rolled-back tests: start from zero.
    cache.clear()
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "anon": "2/min", "user": "3/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    yield
    cache.clear()


def test_user_throttle_answers_429_with_retry_after(api_client, officer_user, tight_rates):
    api_client.force_authenticate(officer_user)
    url = reverse("schema")
    codes = [api_client.get(url).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    response = api_client.get(url)
    assert int(response["Retry-After"]) > 0


def test_anonymous_throttle_is_per_address(api_client, db, tight_rates):
    url = reverse("schema")
    assert [api_client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    other = api_client.get(url, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_no_page_template_has_an_inline_script():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for chunk in text.split("<script")[1:]:
            assert "src=" in chunk.split(">")[0], f"inline <script> in {template}"


def test_production_settings_pass_check_deploy():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "ops.polres.example",
        "DJANGO_SETTINGS_MODULE": "pilkades.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_pages_have_no_inline_script_and_load_nothing_from_elsewhere(client, db, path):
    """The CSP refuses inline scripts and other hosts: a page needing either renders blank."""
    import re

    html = client.get(path).content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    assert all("src=" in attributes for attributes in scripts), scripts
    assert re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", html) == []


# --- what the login and lockout pages say -------------------------------------------------------


WRONG_LOGIN = {
    ("login", "id"): "Nama pengguna atau sandi salah. Huruf besar dan kecil dibedakan.",
    ("login", "en"): "Wrong username or password. Upper and lower case letters differ.",
    ("admin:login", "id"): (
        "Nama pengguna atau sandi salah, atau akun ini bukan akun staf. Huruf besar dan kecil dibedakan."
    ),
    ("admin:login", "en"): (
        "Wrong username or password, or this is not a staff account. Upper and lower case letters differ."
    ),
}


@pytest.mark.parametrize(("url_name", "language"), list(WRONG_LOGIN))
def test_wrong_password_is_said_once_in_each_language(client, officer_user, url_name, language):
    expected = WRONG_LOGIN[url_name, language]
    officer_user.is_staff = True
    officer_user.save()
    client.cookies["django_language"] = language
    page = client.post(reverse(url_name), {"username": "bripka.ahmad", "password": "salah"})
    text = page.content.decode()
    assert page.status_code == 200
    assert expected in text
    assert "nama pengguna nama pengguna" not in text.lower()
    assert "username username" not in text.lower()


def test_lockout_page_says_how_long_and_leads_back(client, officer_user, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
    for _ in range(5):
        _login(client, "salah")
    page = _login(client, PASSWORD)
    main = page.content.decode().split("<main", 1)[1]  # the page's own text, not the top bar
    assert page.status_code == 429
    assert "30 menit" in main
    assert f'href="{reverse("login")}"' in main
    assert f'href="{reverse("home")}"' in main


def test_lockout_page_in_english_says_minutes(client, officer_user, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(hours=1, minutes=30)
    client.cookies["django_language"] = "en"
    for _ in range(5):
        _login(client, "salah")
    assert "1 hour 30 minutes" in _login(client, PASSWORD).content.decode()
