"""Hari-H pages: the phone page and its check-in, the incident form, the Posko board (who sees what)."""

import uuid

import pytest

from election_day.models import CheckIn, Incident
from tests.election_day.world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(make_user):
    return build(make_user)


def test_field_page_lists_the_officers_postings_and_his_team(client, w):
    client.force_login(w.leader_user)
    page = client.get("/hari-h/").content.decode()
    assert w.leader.officer.name in page and w.member.officer.name in page  # he leads the team
    assert w.outsider.officer.name not in page


def test_check_in_from_the_phone_page_then_a_second_tap_says_when(client, w):
    client.force_login(w.member_user)
    body = {
        "kind": "arrived",
        "idempotency_key": str(uuid.uuid4()),
        "latitude": "-6.1001",
        "longitude": "106.3",
    }
    client.post(f"/hari-h/penugasan/{w.member.pk}/lapor/", body)
    checkin = CheckIn.objects.get()
    assert checkin.distance_m is not None and checkin.distance_m < 50
    again = client.post(
        f"/hari-h/penugasan/{w.member.pk}/lapor/", {**body, "idempotency_key": str(uuid.uuid4())}, follow=True
    )
    assert "sudah tercatat" in again.content.decode()
    assert CheckIn.objects.count() == 1


def test_check_in_for_another_officers_posting_is_refused_on_the_page(client, w):
    client.force_login(w.outsider_user)
    page = client.post(f"/hari-h/penugasan/{w.leader.pk}/lapor/", {"kind": "arrived"}, follow=True)
    assert "penugasan Anda sendiri" in page.content.decode()
    assert not CheckIn.objects.exists()


def test_incident_form_offers_only_the_reporters_villages_and_stores_the_report(client, w):
    client.force_login(w.polsek_user)
    form = client.get("/hari-h/kejadian/baru/").content.decode()
    assert w.own[0].desa.name in form and w.foreign.desa.name not in form
    response = client.post(
        "/hari-h/kejadian/baru/",
        {
            "operation": w.operation.pk,
            "village_election": w.own[0].pk,
            "category": w.category.code,
            "severity": 2,
            "description": "Massa berkumpul",
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    assert Incident.objects.get().source == Incident.Source.FIELD
    refused = client.post(
        "/hari-h/kejadian/baru/",
        {
            "operation": w.operation.pk,
            "village_election": w.foreign.pk,
            "category": w.category.code,
            "severity": 2,
            "description": "x",
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert refused.status_code == 200 and Incident.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status", "triage"),
    [("kabag", 200, True), ("pimpinan", 200, False), ("polsek_user", 403, None), ("member_user", 403, None)],
)
def test_posko_board_hq_only_kapolres_reads_without_triage(client, w, who, status, triage):
    client.force_login(getattr(w, who))
    response = client.get(f"/operasi/{w.operation.pk}/posko/")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert f'data-can-triage="{"1" if triage else "0"}"' in page
        assert f"/api/v1/operations/{w.operation.pk}/board/" in page and "lapsit" in page


def test_posko_board_draws_the_villages_map_coloured_by_progress(client, w):
    """The wall board's map is the dashboard's (operations' map data, dashboard-map.js) in its
    progress mode; the board data names each village by its desa code, which the map matches on."""
    import json

    from election_day.services.progress import progress_record

    progress_record(operation=w.operation, village_election=w.own[0], stage="voting", by=w.kabag)
    client.force_login(w.kabag)
    page = client.get(f"/operasi/{w.operation.pk}/posko/").content.decode()
    assert 'data-mode="progress"' in page and "js/dashboard-map.js" in page and "leaflet/leaflet.js" in page
    start = page.index('<script id="map-data" type="application/json">') + len(
        '<script id="map-data" type="application/json">'
    )
    mapped = json.loads(page[start : page.index("</script>", start)])
    codes = {f["properties"]["code"] for f in mapped["villages"]["features"]}
    assert codes == {v.desa.code for v in w.own}  # the foreign desa has no coordinates: not drawn

    board = client.get(f"/api/v1/operations/{w.operation.pk}/board/").json()
    by_code = {v["code"]: v for v in board["villages"]}
    assert set(by_code) == codes | {w.foreign.desa.code}
    assert by_code[w.own[0].desa.code]["stage"] == "voting"
