"""The desk's basics: an Indonesian admin, a favicon, one log line per event, Indonesian by default."""

import io
import logging
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.test import override_settings
from django.urls import reverse
from django.utils.log import configure_logging

from operations.roles import KABAG_OPS, PIMPINAN, POLSEK

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


# --- admin ---------------------------------------------------------------------------------------


def test_admin_is_titled_in_indonesian(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Pilkades Ops — Administrasi" in html
    assert "Django" not in html.split("<title>")[1].split("</title>")[0]
    assert admin.site.site_header == "Pilkades Ops — Administrasi"


@pytest.mark.parametrize(
    ("label", "name"),
    [("operations", "Operasi"), ("villages", "Desa dan Pilkades"), ("election_day", "Hari-H")],
)
def test_admin_sections_are_named_in_indonesian(client, superuser, label, name):
    assert apps.get_app_config(label).verbose_name == name
    client.force_login(superuser)
    html = client.get(reverse("admin:index")).content.decode()
    assert f">{name}<" in html


# --- favicon -------------------------------------------------------------------------------------


def test_favicon_ico_is_answered(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain, "expected a redirect to the static icon"
    assert response.redirect_chain[-1][0].endswith("favicon.svg")


# --- logging -------------------------------------------------------------------------------------


@pytest.fixture
def console(monkeypatch):
    """Django's logging configured as at start-up, its console (stderr) read back as a string."""
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    yield stream
    monkeypatch.undo()
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


@override_settings(DEBUG=True)
def test_a_django_log_line_is_printed_once(console):
    logging.getLogger("django.utils.autoreload").info("Watching for file changes with StatReloader")
    assert console.getvalue().count("Watching for file changes") == 1


@override_settings(DEBUG=True)
def test_an_ordinary_403_is_one_warning_line_without_traceback(console, client, make_user):
    client.force_login(make_user(POLSEK))
    assert client.get(reverse("report-review")).status_code == 403
    err = console.getvalue()
    assert err.count("Forbidden (Permission denied): /laporan/antrian/") == 1
    assert "Traceback" not in err


@override_settings(DEBUG=True)
def test_a_server_error_keeps_its_traceback(console):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: /x/", exc_info=True, extra={"status_code": 500}
        )
    err = console.getvalue()
    assert err.count("Internal Server Error: /x/") == 1
    assert "Traceback" in err


# --- repository ----------------------------------------------------------------------------------


def test_sqlite_side_files_are_ignored():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "db.sqlite3-wal" in ignored and "db.sqlite3-shm" in ignored


# --- error pages in DEBUG (the one-command demo) ----------------------------------------------------


@override_settings(DEBUG=True)
def test_demo_404_is_the_apps_own_page(client, make_user):
    client.force_login(make_user(PIMPINAN))
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Halaman tidak ditemukan" in html
    assert "Using the URLconf" not in html and "Page not found" not in html


@override_settings(DEBUG=True)
def test_demo_404_of_a_view_is_the_apps_own_page(client, make_user):
    client.force_login(make_user(PIMPINAN))
    response = client.get(reverse("village-detail", args=[999999]))
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


@override_settings(DEBUG=True)
def test_demo_api_404_stays_json(client):
    response = client.get("/api/v1/tidak-ada/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


# --- language ------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["en", "en-US,en;q=0.9", "en-GB"])
def test_pages_are_indonesian_whatever_the_browser_asks(client, make_user, accept):
    client.force_login(make_user(KABAG_OPS))
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert '<html lang="id">' in html
    assert "Keluar" in html


def test_login_page_is_indonesian_for_an_english_browser(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="id">' in html


def test_english_only_when_the_user_picks_it(client, make_user):
    client.force_login(make_user(KABAG_OPS))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert '<html lang="en">' in html


def test_api_still_follows_accept_language(client):
    indonesian = client.get("/api/v1/tidak-ada/").json()["detail"]
    english = client.get("/api/v1/tidak-ada/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert indonesian == "Tidak ditemukan."
    assert english != indonesian


def test_the_pages_own_api_calls_speak_the_pages_language(client, make_user):
    """The Posko board and the other pages fetch /api/ with the browser's session: an English browser
    must not turn the labels they draw into English on an Indonesian page."""
    client.force_login(make_user(KABAG_OPS))
    detail = client.get("/api/v1/tidak-ada/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").json()["detail"]
    assert detail == "Tidak ditemukan."
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    picked = client.get("/api/v1/tidak-ada/", HTTP_ACCEPT_LANGUAGE="id").json()["detail"]
    assert picked == "Not found."


def test_a_token_client_with_a_session_cookie_still_follows_accept_language(client, make_user):
    client.force_login(make_user(KABAG_OPS))
    detail = client.get(
        "/api/v1/tidak-ada/", HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION="Token whatever"
    ).json()["detail"]
    assert detail != "Tidak ditemukan."
