"""Attacker-chosen names (region import, roster import, admin forms) in every export.

A name is data wherever it lands: literal text in the PDF (never reportlab markup, never a link)
and a text cell in every spreadsheet (never a formula Excel would run).
"""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import SimpleDocTemplate

from operations.models import Duty
from operations.services.assignments import assignment_create
from pilkades.pdf import text_paragraph
from tests.operations.deployment_setup import build_world, officers
from villages.services import regions_import

pytestmark = pytest.mark.django_db

MARKUP_KECAMATAN = 'Renged <img src="x"/>'
MARKUP_DESA = 'Desa <a href="https://evil.example/">Klik</a>'


def _rename_through_import(kecamatan, kecamatan_name: str, desa, desa_name: str) -> None:
    """As an imported Kemendagri list would: the names arrive through the region import."""
    regions_import(data=f"{kecamatan.code}\t{kecamatan_name}\n{desa.code}\t{desa_name}\n".encode())


def _pdf_text_and_links(body: bytes) -> tuple[str, list[str]]:
    reader = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() for page in reader.pages)
    uris = [
        str(annotation.get_object().get("/A", {}).get("/URI", ""))
        for page in reader.pages
        for annotation in page.get("/Annots", None) or []
    ]
    return text, uris


@pytest.fixture
def markup_world(make_user):
    world = build_world(make_user)
    village = world.own[0]
    _rename_through_import(village.desa.kecamatan, MARKUP_KECAMATAN, village.desa, MARKUP_DESA)
    (officer,) = officers(world.polres, 1, name="Slamet Riyadi")
    assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=village,
        by=world.kabag,
    )
    world.operation.name = "Operasi <b>Mantap</b> & Aman"
    world.operation.save()
    return world


def test_order_pdf_prints_markup_in_names_as_literal_text_over_the_api(api_client, markup_world):
    api_client.force_authenticate(markup_world.kabag)

    response = api_client.get(f"/api/v1/operations/{markup_world.operation.pk}/order.pdf")

    assert response.status_code == 200
    text, uris = _pdf_text_and_links(response.content)
    assert MARKUP_KECAMATAN in text
    assert MARKUP_DESA in text
    assert "Operasi <b>Mantap</b> & Aman" in text
    assert not [uri for uri in uris if "evil.example" in uri]


def test_order_pdf_page_download_survives_markup_in_names(client, markup_world):
    client.force_login(markup_world.kabag)

    response = client.get(reverse("deployment-order", args=[markup_world.operation.pk, "pdf"]))

    assert response.status_code == 200
    text, uris = _pdf_text_and_links(response.content)
    assert MARKUP_KECAMATAN in text and MARKUP_DESA in text
    assert uris == []


@pytest.mark.parametrize(
    "name",
    [
        MARKUP_DESA,
        'Desa <link href="https://evil.example/">Klik</link>',
        "Desa <font size=90>Besar</font> & <unknown>",
        "Desa &amp; &#60;b&#62;",
    ],
)
def test_text_paragraph_shows_markup_literally_and_links_nothing(name):
    body = io.BytesIO()
    SimpleDocTemplate(body).build([text_paragraph(name, getSampleStyleSheet()["Normal"])])

    text, uris = _pdf_text_and_links(body.getvalue())
    assert name in text
    assert uris == []
