"""An arrival reported far from the desa's point (a wrong post, or a tap from elsewhere) is shown:
the officer is told on his phone, the Posko board lists it, the API flags it. It is still stored:
the position is never required and never refused."""

import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from election_day.models import CheckIn
from election_day.selectors import board
from operations.models import Operation
from tests.election_day.world import build

pytestmark = pytest.mark.django_db

# own[0]'s desa point is -6.10, 106.30: 0.1° of latitude is ~11 km, 0.0001° ~11 m.
NEAR = {"latitude": "-6.1001", "longitude": "106.3"}
FAR = {"latitude": "-6.2", "longitude": "106.3"}


@pytest.fixture
def w(make_user, settings):
    settings.CHECKIN_FAR_METRES = 5000
    return build(make_user)


def _tap(client, user, posting, position):
    client.force_login(user)
    body = {"kind": "arrived", "idempotency_key": str(uuid.uuid4()), **position}
    return client.post(f"/hari-h/penugasan/{posting.pk}/lapor/", body, follow=True).content.decode()


def _far(w):
    return board(operation=Operation.objects.get(pk=w.operation.pk), now=timezone.now())["far"]


def test_a_far_arrival_is_stored_told_to_the_officer_and_listed_on_the_board(client, w):
    near_page = _tap(client, w.leader_user, w.leader, NEAR)
    assert f"dari titik desa {w.own[0].desa.name}:" not in near_page
    assert _far(w) == {"threshold_m": 5000, "total": 0, "officers": []}

    far_page = _tap(client, w.member_user, w.member, FAR)
    checkin = CheckIn.objects.get(officer=w.member.officer)
    assert 11_000 <= checkin.distance_m <= 11_300
    assert f"Posisi ponsel 11,1 km dari titik desa {w.own[0].desa.name}" in far_page

    far = _far(w)
    assert far["total"] == 1
    assert [(o["nrp"], o["place"], o["distance_m"]) for o in far["officers"]] == [
        (w.member.officer.nrp, w.own[0].desa.name, checkin.distance_m)
    ]


def test_the_phone_and_the_lapsit_write_a_whole_distance_alike(client, w):
    """One rule for kilometres (``geo.km_text``): "12 km" on the phone as in the Lapsit, not "12,0"."""
    from election_day.lapsit import far_line

    page = _tap(client, w.member_user, w.member, {"latitude": "-6.208", "longitude": "106.3"})
    assert 11_950 <= CheckIn.objects.get(officer=w.member.officer).distance_m < 12_050
    assert f"Posisi ponsel 12 km dari titik desa {w.own[0].desa.name}" in page
    assert ": 12 km" in far_line(_far(w))


def test_the_distance_that_counts_as_far_is_a_setting(client, w, settings):
    _tap(client, w.member_user, w.member, FAR)
    assert _far(w)["total"] == 1
    settings.CHECKIN_FAR_METRES = 20_000
    assert _far(w) == {"threshold_m": 20_000, "total": 0, "officers": []}


def test_the_api_flags_a_far_arrival(api_client, w):
    api_client.force_authenticate(w.member_user)
    body = {"assignment": w.member.pk, "kind": "arrived", "latitude": "-6.2", "longitude": "106.3"}
    answer = api_client.post(
        "/api/v1/hari-h/checkins/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["is_far"] is True
    api_client.force_authenticate(w.leader_user)
    body = {"assignment": w.leader.pk, "kind": "arrived", "latitude": "-6.1001", "longitude": "106.3"}
    answer = api_client.post(
        "/api/v1/hari-h/checkins/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert answer.json()["is_far"] is False


def test_the_lapsit_names_far_arrivals_for_the_kapolres(w, settings):
    """The Lapsit (chat text and PDF) and so the final report say who reported arrival far from
    his desa: the Kapolres reads these, not the wall board. The name is drawn as typed."""
    from io import BytesIO

    from pypdf import PdfReader

    from election_day.lapsit import lapsit_pdf, lapsit_text
    from election_day.selectors import lapsit_data
    from election_day.services.checkins import Position, checkin_record

    officer = w.member.officer
    officer.name = "Budi <b>Santoso</b> & Co"
    officer.save()
    operation = Operation.objects.get(pk=w.operation.pk)
    assert "jauh dari titik desa" not in lapsit_text(lapsit_data(operation=operation))

    checkin_record(
        assignment=w.member,
        kind="arrived",
        by=w.member_user,
        idempotency_key=uuid.uuid4(),
        position=Position(Decimal(FAR["latitude"]), Decimal(FAR["longitude"]), accuracy_m=20),
    )
    text = lapsit_text(lapsit_data(operation=operation))
    line = next(line for line in text.splitlines() if "jauh dari titik desa" in line)
    assert "(lebih dari 5 km): 1 — " in line
    assert f"Budi <b>Santoso</b> & Co ({officer.nrp}), {w.own[0].desa.name}: 11,1 km" in line

    pdf = lapsit_pdf(lapsit_data(operation=operation))
    drawn = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages)
    assert "Budi <b>Santoso</b> & Co" in drawn and "11,1 km" in drawn


def test_the_lapsit_line_counts_those_the_list_leaves_out():
    from election_day.lapsit import far_line

    one = {"officer": "Bripda A", "nrp": "1", "place": "Lamaran", "distance_m": 12_345}
    line = far_line({"threshold_m": 2500, "total": 3, "officers": [one]})
    assert line == (
        "Lapor tiba jauh dari titik desa (lebih dari 2,5 km): 3 — "
        "Bripda A (1), Lamaran: 12,3 km; dan 2 lainnya"
    )
