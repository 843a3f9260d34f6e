import json
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.roles import KABAG_OPS, PIMPINAN
from tests.villages.test_import_boundaries import OUT_OF_BOX, sql, sql_row
from villages.models import Desa, Kecamatan

pytestmark = pytest.mark.django_db
URL = reverse("admin:villages_desa_import_boundaries")


@pytest.fixture
def kabag(client, make_user):
    client.force_login(make_user(KABAG_OPS))
    return client


@pytest.fixture
def mekarsari():
    kec = Kecamatan.objects.create(code="36.04.17", name="Carenang")
    return Desa.objects.create(code="36.04.17.2010", name="Mekarsari", kecamatan=kec)


def _preview(client, payload: bytes):
    return client.post(
        URL,
        {"file": SimpleUploadedFile("desa.sql", payload), "prefix": "36.04", "level": "desa",
         "code_property": "kode", "encoding": "utf-8"},
    )  # fmt: skip


def test_preview_shows_the_outcome_and_writes_nothing_until_confirmed(kabag, mekarsari):
    response = _preview(kabag, sql(sql_row("36.04.17.2010"), sql_row("36.04.17.2999", "Baru")))
    assert response.status_code == 200
    page = response.content.decode()
    assert "36.04.17.2999 Baru" in page  # listed as not in the database
    mekarsari.refresh_from_db()
    assert mekarsari.boundary_geojson == "" and mekarsari.latitude is None

    token = response.context["token"]
    confirmed = kabag.post(URL, {"confirm": "1", "token": token})
    assert confirmed.status_code == 302
    mekarsari.refresh_from_db()
    assert json.loads(mekarsari.boundary_geojson)["type"] == "Polygon"
    # The token is spent: a second confirmation does nothing.
    again = kabag.post(URL, {"confirm": "1", "token": token}, follow=True)
    assert "Pratinjau tidak ditemukan" in again.content.decode()


def test_confirmed_boundary_import_records_the_admin_user_and_file_in_the_history(kabag, mekarsari):
    token = _preview(kabag, sql(sql_row("36.04.17.2010"))).context["token"]
    confirmed = kabag.post(URL, {"confirm": "1", "token": token})
    latest = Desa.history.filter(code="36.04.17.2010").latest()
    assert (latest.history_user, latest.history_change_reason) == (
        confirmed.wsgi_request.user,
        "Impor batas wilayah: desa.sql",
    )
    assert latest.latitude is not None


def test_preview_with_a_bad_row_names_the_line_and_offers_no_confirmation(kabag, mekarsari):
    response = _preview(kabag, sql(sql_row("36.04.17.2010", path=OUT_OF_BOX)))
    page = response.content.decode()
    assert "baris 3: 36.04.17.2010: titik" in page
    assert 'name="confirm"' not in page


def test_confirmation_with_a_forged_token_is_refused(kabag, mekarsari):
    _preview(kabag, sql(sql_row("36.04.17.2010")))
    kabag.post(URL, {"confirm": "1", "token": "../../etc/passwd"})
    mekarsari.refresh_from_db()
    assert mekarsari.boundary_geojson == ""


def test_pimpinan_cannot_import_boundaries(client, make_user):
    client.force_login(make_user(PIMPINAN, is_staff=True))
    assert client.get(URL).status_code == 403


def test_desa_change_page_has_the_location_map_with_the_outline(kabag, mekarsari):
    mekarsari.boundary_geojson = (
        '{"type":"Polygon","coordinates":[[[106.3,-6.1],[106.32,-6.1],[106.3,-6.12],[106.3,-6.1]]]}'
    )
    mekarsari.save()
    page = kabag.get(reverse("admin:villages_desa_change", args=[mekarsari.pk])).content.decode()
    assert 'class="desa-location-map"' in page
    assert "&quot;Polygon&quot;" in page  # escaped into the attribute, parsed by the script
    assert "js/desa-location-map.js" in page


def test_confirmation_needs_nothing_on_the_previewing_servers_disk(kabag, mekarsari):
    # Behind a load balancer the confirmation may reach another server, with its own /tmp.
    token = _preview(kabag, sql(sql_row("36.04.17.2010"))).context["token"]
    shutil.rmtree(Path(tempfile.gettempdir()) / "pilkades-boundary-uploads", ignore_errors=True)
    confirmed = kabag.post(URL, {"confirm": "1", "token": token})
    assert confirmed.status_code == 302
    mekarsari.refresh_from_db()
    assert json.loads(mekarsari.boundary_geojson)["type"] == "Polygon"


def test_an_expired_preview_asks_for_the_file_again_and_writes_nothing(kabag, mekarsari):
    token = _preview(kabag, sql(sql_row("36.04.17.2010"))).context["token"]
    cache.clear()  # a day later, or the shared cache was emptied
    again = kabag.post(URL, {"confirm": "1", "token": token}, follow=True)
    assert "unggah ulang" in again.content.decode()
    mekarsari.refresh_from_db()
    assert mekarsari.boundary_geojson == ""
