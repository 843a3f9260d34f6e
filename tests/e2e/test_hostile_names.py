"""Names are text on every page: markup in an imported kecamatan or desa name never becomes HTML."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import DESKTOP, login
from tests.operations.deployment_setup import build_world
from villages.services import regions_import

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOSTILE_KECAMATAN = "<b>Binuang</b><img src=x onerror=alert(2)>"
HOSTILE_DESA = '<i>Renged</i><img src="y" onerror="alert(3)">'


def test_dashboard_map_labels_tooltips_and_popups_show_markup_as_text(open_page, make_user):
    world = build_world(make_user)
    desa = world.own[0].desa
    regions_import(data=f"{desa.kecamatan.code}\t{HOSTILE_KECAMATAN}\n{desa.code}\t{HOSTILE_DESA}\n".encode())
    page, console = open_page(DESKTOP)
    login(page, world.pimpinan.username, TEST_PASSWORD)

    page.goto(reverse("dashboard", args=[world.operation.pk]))

    panes = page.locator("#map .leaflet-tooltip-pane, #map .leaflet-popup-pane")
    expect(page.locator("#map .kecamatan-label").filter(has_text=HOSTILE_KECAMATAN)).to_have_count(1)
    markers = page.locator("#map path.village-marker")
    expect(markers).to_have_count(3)
    for index in range(markers.count()):
        markers.nth(index).hover()
        if page.locator("#map .leaflet-tooltip").filter(has_text=HOSTILE_DESA).count():
            break
    expect(page.locator("#map .leaflet-tooltip").filter(has_text=HOSTILE_DESA)).to_have_count(1)
    markers.nth(index).click()
    expect(page.locator("#map .leaflet-popup-content a")).to_have_text(HOSTILE_DESA)
    expect(page.locator("#map .leaflet-popup-content")).to_contain_text(HOSTILE_KECAMATAN)
    expect(panes.locator("img, b, i")).to_have_count(0)
    assert console.take() == []
