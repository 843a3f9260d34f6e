"""The field app without signal: manifest, service worker (scope, versioned cache) and logout."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from election_day import offline
from operations.roles import POLSEK

pytestmark = pytest.mark.django_db


def test_manifest_names_the_field_start_page_and_icons(client):
    response = client.get(reverse("field-manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Pilkades Ops Lapangan"
    assert data["start_url"] == reverse("field-home") == data["scope"]
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}


def test_service_worker_answers_only_the_field_pages_and_caches_only_the_shell(client):
    response = client.get(reverse("field-sw"))
    assert response["Content-Type"].startswith("text/javascript")
    # Allowed anywhere, so that the new risk report form (outside /hari-h/) can have a registration
    # of its own; the pages register only the field scopes (next test).
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert '"pilkades-lapangan-" + VERSION' in body and offline.shell_version() in body
    pages = json.loads(body.split("var PAGES = ")[1].split(";")[0])
    assert pages == ["/hari-h/", "/hari-h/kejadian/baru/", "/hari-h/antrian/", "/laporan/baru/"]
    assert all(page.startswith(("/hari-h/", "/laporan/baru/")) for page in pages)
    assert not any(page.startswith(("/api/", "/admin/")) for page in pages)
    assert "skipWaiting" in body and "activate-now" in body  # only on the page's request


# Not "page": that name is pytest-playwright's browser fixture, which would pull this test into the
# browser tests' session and out of the database tests' order.
@pytest.mark.parametrize("url_name", ["field-queue", "report-create"])
def test_field_pages_register_the_worker_for_the_field_scopes_only(client, make_user, url_name):
    client.force_login(make_user(POLSEK))
    html = client.get(reverse(url_name)).content.decode()
    scopes = html.split('data-scopes="')[1].split('"')[0].split(" ")
    assert scopes == [reverse(name) for name in offline.FIELD_SCOPES] == ["/hari-h/", "/laporan/baru/"]
    assert 'rel="manifest"' in html


def test_shell_version_changes_with_a_shell_file(tmp_path, settings):
    before = offline.shell_version()
    asset = tmp_path / "css" / "app.css"
    asset.parent.mkdir()
    asset.write_text("body{}")
    settings.STATICFILES_DIRS = [tmp_path, *settings.STATICFILES_DIRS]
    offline.shell_version.cache_clear()
    try:
        assert offline.shell_version() != before
    finally:
        offline.shell_version.cache_clear()


def test_logout_asks_the_browser_to_clear_the_queue_and_caches(client):
    user = get_user_model().objects.create_user("petugas", password="x")
    client.force_login(user)
    response = client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_logout_keeps_the_storage_holding_another_users_waiting_reports(client):
    user = get_user_model().objects.create_user("petugas", password="x")
    client.force_login(user)
    response = client.post(reverse("logout"), {"antrian_lain": "1"})
    assert response["Clear-Site-Data"] == '"cache"'
    assert "_auth_user_id" not in client.session
