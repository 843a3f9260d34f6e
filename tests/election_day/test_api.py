import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from election_day.models import CheckIn, Incident
from election_day.services.checkins import checkin_record
from tests.election_day.world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(make_user):
    return build(make_user)


def login(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_check_in_replay_is_200_with_the_original_and_other_body_is_422(api_client, w):
    client = login(api_client, w.member_user)
    key = str(uuid.uuid4())
    body = {"assignment": w.member.pk, "kind": "arrived", "latitude": "-6.100100", "longitude": "106.300000"}
    first = client.post("/api/v1/hari-h/checkins/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.json()
    again = client.post("/api/v1/hari-h/checkins/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = client.post(
        "/api/v1/hari-h/checkins/", {**body, "kind": "finished"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert other.status_code == 422 and "detail" in other.json()
    assert CheckIn.objects.count() == 1


def test_check_in_for_someone_elses_assignment_is_403_with_reason(api_client, w):
    response = login(api_client, w.outsider_user).post(
        "/api/v1/hari-h/checkins/", {"assignment": w.leader.pk, "kind": "arrived"}, format="json"
    )
    assert response.status_code == 403
    assert "penugasan Anda sendiri" in response.json()["detail"]


def test_second_arrival_is_400_in_the_shared_error_shape(api_client, w):
    client = login(api_client, w.member_user)
    client.post("/api/v1/hari-h/checkins/", {"assignment": w.member.pk, "kind": "arrived"}, format="json")
    response = client.post(
        "/api/v1/hari-h/checkins/", {"assignment": w.member.pk, "kind": "arrived"}, format="json"
    )
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 90, 0)).save(out, format="JPEG")
    return out.getvalue()


def test_incident_with_photo_then_triage_race_answers_409(api_client, w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(api_client, w.leader_user)
    response = client.post(
        "/api/v1/hari-h/incidents/",
        {
            "operation": w.operation.pk,
            "village_election": w.own[0].pk,
            "category": "keributan",
            "severity": 2,
            "description": "Keributan kecil",
            "photos": [SimpleUploadedFile("a.jpg", _jpeg(), "image/jpeg")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    incident_id = response.json()["id"]
    assert len(response.json()["photos"]) == 1
    assert response.json()["photos"][0]["gps_latitude"] is None
    login(api_client, w.kabag)
    assert api_client.post(f"/api/v1/hari-h/incidents/{incident_id}/acknowledge/").status_code == 200
    login(api_client, w.kabag2)
    late = api_client.post(f"/api/v1/hari-h/incidents/{incident_id}/acknowledge/")
    assert late.status_code == 409 and "sudah diterima oleh" in late.json()["detail"]


@pytest.mark.parametrize(
    "name,data",
    [
        ("svg.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("exe.jpg", b"MZ" + b"\x00" * 200),
    ],
)
def test_bad_photo_is_400_and_nothing_is_stored(api_client, w, name, data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = login(api_client, w.leader_user).post(
        "/api/v1/hari-h/incidents/",
        {
            "operation": w.operation.pk,
            "village_election": w.own[0].pk,
            "category": "keributan",
            "severity": 1,
            "description": "x",
            "photos": [SimpleUploadedFile(name, data, "image/jpeg")],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "photos" in response.json()["errors"]
    assert not Incident.objects.exists()


def test_board_answers_304_until_a_write_then_200(api_client, w):
    client = login(api_client, w.pimpinan)
    url = f"/api/v1/operations/{w.operation.pk}/board/"
    first = client.get(url)
    assert first.status_code == 200 and first.json()["personnel"]["planned"] == 3
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    login(api_client, w.member_user).post(
        "/api/v1/hari-h/checkins/", {"assignment": w.member.pk, "kind": "arrived"}, format="json"
    )
    after = login(api_client, w.pimpinan).get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after.json()["personnel"]["present"] == 1


def test_board_is_hq_only(api_client, w):
    assert (
        login(api_client, w.polsek_user).get(f"/api/v1/operations/{w.operation.pk}/board/").status_code == 403
    )


def test_late_officers_are_listed_after_the_grace(api_client, w, settings):
    settings.CHECKIN_GRACE_MINUTES = 30  # the stage started 60 minutes ago
    data = login(api_client, w.kabag).get(f"/api/v1/operations/{w.operation.pk}/board/").json()
    assert data["late"]["total"] == 3


def _incident(w):
    from election_day.services.incidents import incident_report

    return incident_report(
        operation=w.operation,
        village_election=w.own[0],
        category=w.category,
        severity=1,
        description="x",
        by=w.kabag,
        idempotency_key=uuid.uuid4(),
    )[0]


@pytest.mark.parametrize(
    ("who", "path", "body", "fmt", "field"),
    [
        ("member_user", "checkin", {"kind": "arrived", "latitud": "-6.1"}, "json", "latitud"),
        ("member_user", "checkin", {"kind": "arrived", "distance_m": 3}, "json", "distance_m"),
        ("leader_user", "progress", {"stage": "tps_open", "reson": "x"}, "json", "reson"),
        (
            "leader_user",
            "incident",
            {"severity": 1, "description": "x", "state": "resolved"},
            "json",
            "state",
        ),
        (
            "leader_user",
            "incident",
            {"severity": 1, "description": "x", "severty": 3},
            "multipart",
            "severty",
        ),
        ("kabag", "photos", {"caption": "x"}, "multipart", "caption"),
        ("kabag", "resolve", {"note": "Selesai", "resolution_note": "x"}, "json", "resolution_note"),
        ("kabag", "dispatch", {"officers": [1, 2], "size": 2}, "json", "size"),
    ],
)
def test_every_hari_h_write_refuses_unknown_fields(
    api_client, w, who, path, body, fmt, field, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    incident = _incident(w)
    base = {
        "checkin": {"assignment": w.member.pk},
        "progress": {"operation": w.operation.pk, "village_election": w.own[0].pk},
        "incident": {"operation": w.operation.pk, "village_election": w.own[0].pk, "category": "keributan"},
        "photos": {"photos": [SimpleUploadedFile("a.jpg", _jpeg(), "image/jpeg")]},
    }.get(path, {})
    urls = {
        "checkin": "/api/v1/hari-h/checkins/",
        "progress": "/api/v1/hari-h/progress/",
        "incident": "/api/v1/hari-h/incidents/",
        "photos": f"/api/v1/hari-h/incidents/{incident.pk}/photos/",
        "resolve": f"/api/v1/hari-h/incidents/{incident.pk}/resolve/",
        "dispatch": f"/api/v1/hari-h/incidents/{incident.pk}/dispatch/",
    }
    before = (CheckIn.objects.count(), Incident.objects.count())
    response = login(api_client, getattr(w, who)).post(urls[path], {**base, **body}, format=fmt)
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["errors"]
    assert (CheckIn.objects.count(), Incident.objects.count()) == before
    incident.refresh_from_db()
    assert incident.state == Incident.State.NEW and not incident.photos.exists()


def test_a_field_officer_reads_his_own_incidents_and_adds_a_photo_later(api_client, w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(api_client, w.member_user)
    made = client.post(
        "/api/v1/hari-h/incidents/",
        {
            "operation": w.operation.pk,
            "village_election": w.own[0].pk,
            "category": "logistik",
            "severity": 1,
            "description": "Kotak suara belum tiba",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    listed = client.get("/api/v1/hari-h/incidents/").json()
    assert [row["id"] for row in listed["results"]] == [made.json()["id"]]
    photo = SimpleUploadedFile("foto.jpg", _jpeg(), content_type="image/jpeg")
    added = client.post(f"/api/v1/hari-h/incidents/{made.json()['id']}/photos/", {"photos": [photo]})
    assert added.status_code == 200, added.content
    assert len(added.json()["photos"]) == 1


def test_check_ins_filter_by_posting_and_officer(api_client, w):
    """An integration asking for one posting's check-ins gets those, not every check-in."""
    for posting, user in ((w.member, w.member_user), (w.leader, w.leader_user)):
        checkin_record(assignment=posting, kind="arrived", by=user, idempotency_key=uuid.uuid4())
    api_client.force_authenticate(w.kabag)
    answer = api_client.get("/api/v1/hari-h/checkins/", {"assignment": w.member.pk})
    assert answer.status_code == 200
    assert [row["assignment"] for row in answer.json()["results"]] == [w.member.pk]
    answer = api_client.get("/api/v1/hari-h/checkins/", {"officer": w.leader.officer_id})
    assert [row["officer"] for row in answer.json()["results"]] == [w.leader.officer_id]
    assert api_client.get("/api/v1/hari-h/checkins/", {"assignment": "x"}).status_code == 400


def test_postings_say_who_leads_each_village_team(api_client, w):
    """Unless the Kabag Ops names one, the most senior officer leads (and may report for the
    team): an integration reading the postings sees the same leader the app acts on."""
    from operations.services.assignments import team_leader_set

    def leads() -> dict[int, bool]:
        rows = api_client.get("/api/v1/assignments/", {"operation": w.operation.pk}).json()["results"]
        return {row["id"]: row["leads_team"] for row in rows if row["id"] in (w.leader.pk, w.member.pk)}

    api_client.force_authenticate(w.kabag)
    assert leads() == {w.leader.pk: True, w.member.pk: False}
    one = api_client.get(f"/api/v1/assignments/{w.member.pk}/").json()
    assert (one["leads_team"], one["is_team_leader"]) == (False, False)

    team_leader_set(
        operation=w.operation,
        stage=w.member.stage,
        village_election=w.own[0],
        officer=w.member.officer,
        by=w.kabag,
    )
    assert leads() == {w.leader.pk: False, w.member.pk: True}
    assert api_client.get(f"/api/v1/assignments/{w.member.pk}/").json()["leads_team"] is True
