import uuid
from decimal import Decimal as D

import pytest

from operations.models import RiskIndicator, RiskReport, VillageStanding
from operations.services.reports import report_create, report_submit, report_verify
from tests.operations.risk_setup import answers, api_as_recorded, build_world

pytestmark = pytest.mark.django_db

Status = RiskReport.Status
REPORTS = "/api/v1/risk-reports/"


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _payload(village, **extra):
    data = {
        "village_election": village.pk,
        "narrative": "Dua kubu berimbang.",
        "answers": [
            {"indicator": "split_camps", "flag": True, "evidence": "Posko berhadapan."},
            {"indicator": "travel_minutes", "number": "30"},
        ],
    }
    data.update(extra)
    return data


def _submitted(world, village=None):
    report = report_create(
        village_election=village or world.own[0], author=world.polsek, answers=answers(split_camps=True)
    )
    return report_submit(report=report, by=world.polsek)


def test_polsek_creates_and_submits_a_report(api_client, world):
    client = _as(api_client, world.polsek)
    response = client.post(REPORTS, _payload(world.own[0]), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == Status.DRAFT
    assert {a["indicator"] for a in body["answers"]} == {"split_camps", "travel_minutes"}

    # Submission needs every indicator answered; "tidak diketahui" is an answer.
    response = client.post(f"{REPORTS}{body['id']}/submit/")
    assert response.status_code == 400
    # The DPT and the committee as the village records them: "unknown" would contradict the record.
    recorded = api_as_recorded()
    answered = ["split_camps", "travel_minutes", *(a["indicator"] for a in recorded)]
    rest = RiskIndicator.objects.filter(is_active=True).exclude(code__in=answered)
    fields = ("indicator", "flag", "number", "unknown", "evidence")
    given = [{k: a[k] for k in fields} for a in body["answers"]]
    complete = given + recorded + [{"indicator": i.code, "unknown": True} for i in rest]
    response = client.patch(f"{REPORTS}{body['id']}/", {"answers": complete}, format="json")
    assert response.status_code == 200, response.json()

    response = client.post(f"{REPORTS}{body['id']}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == Status.SUBMITTED


def test_idempotency_key_returns_the_same_report(api_client, world):
    client = _as(api_client, world.polsek)
    key = str(uuid.uuid4())
    first = client.post(REPORTS, _payload(world.own[0], idempotency_key=key), format="json").json()
    second = client.post(REPORTS, _payload(world.own[0], idempotency_key=key), format="json").json()
    assert first["id"] == second["id"]
    assert RiskReport.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"village_election": 999999}, "village_election"),
        ({"answers": [{"indicator": "no_such_indicator", "flag": True}]}, "answers"),
        ({"answers": [{"indicator": "travel_minutes", "number": "-1"}]}, "answers"),
        ({"answers": [{"indicator": "travel_minutes", "number": "abc"}]}, "answers"),
        ({"answers": [{"indicator": "split_camps", "number": "3"}]}, "answers"),
        ({"idempotency_key": "not-a-uuid"}, "idempotency_key"),
    ],
)
def test_bad_input_is_400_with_field_errors(api_client, world, change, field):
    response = _as(api_client, world.polsek).post(REPORTS, _payload(world.own[0], **change), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not RiskReport.objects.exists()


def test_other_polsek_village_is_refused_without_data(api_client, world):
    response = _as(api_client, world.polsek).post(REPORTS, _payload(world.foreign), format="json")
    assert response.status_code == 400
    assert "village_election" in response.json()["errors"]


def test_report_list_is_limited_by_jurisdiction(api_client, world):
    mine = _submitted(world)
    theirs = report_create(village_election=world.foreign, author=world.other_polsek)
    ids = {r["id"] for r in _as(api_client, world.polsek).get(REPORTS).json()["results"]}
    assert ids == {mine.pk}
    assert _as(api_client, world.polsek).get(f"{REPORTS}{theirs.pk}/").status_code == 404
    ids = {r["id"] for r in _as(api_client, world.pimpinan).get(REPORTS).json()["results"]}
    assert ids == {mine.pk, theirs.pk}


@pytest.mark.parametrize("size", [2, 20])
def test_report_list_query_count_is_flat(api_client, world, size, django_assert_max_num_queries):
    for _ in range(size):
        report_create(village_election=world.own[0], author=world.polsek, answers=answers(split_camps=True))
    client = _as(api_client, world.kabag)
    with django_assert_max_num_queries(8):
        response = client.get(REPORTS)
    assert response.json()["count"] == size


def test_kabag_verifies_and_returns(api_client, world):
    report = _submitted(world)
    client = _as(api_client, world.kabag)
    response = client.post(f"{REPORTS}{report.pk}/verify/")
    assert response.status_code == 200
    assert response.json()["score"] == "17.50"  # split camps 15, the village's DPT of 2 500: 2.50
    other = _submitted(world, world.own[1])
    response = client.post(f"{REPORTS}{other.pk}/return/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(f"{REPORTS}{other.pk}/return/", {"reason": "Tambah bukti."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == Status.RETURNED


def test_illegal_transition_is_409_with_message(api_client, world):
    report = report_create(village_election=world.own[0], author=world.polsek)
    response = _as(api_client, world.kabag).post(f"{REPORTS}{report.pk}/verify/")
    assert response.status_code == 409
    assert "Diajukan" in " ".join(response.json()["errors"]["non_field_errors"])


def test_editing_a_verified_report_is_refused(api_client, world):
    report = _submitted(world)
    report_verify(report=report, by=world.kabag)
    response = _as(api_client, world.polsek).patch(
        f"{REPORTS}{report.pk}/", {"narrative": "x"}, format="json"
    )
    assert response.status_code == 409
    assert "buat laporan baru" in response.json()["errors"]["non_field_errors"][0]


@pytest.mark.parametrize("who", ["polsek", "pimpinan"])
def test_only_kabag_verifies(api_client, world, who):
    report = _submitted(world)
    response = _as(api_client, getattr(world, who)).post(f"{REPORTS}{report.pk}/verify/")
    assert response.status_code == 403


def test_hq_cannot_create_reports(api_client, world):
    response = _as(api_client, world.kabag).post(REPORTS, _payload(world.own[0]), format="json")
    assert response.status_code == 403


def test_anonymous_gets_401_or_403(api_client):
    assert api_client.get(REPORTS).status_code in (401, 403)


def test_indicators_readable_by_all_editable_by_kabag(api_client, world):
    assert len(_as(api_client, world.polsek).get("/api/v1/risk-indicators/").json()["results"]) >= 13
    pk = RiskIndicator.objects.get(code="split_camps").pk
    url = f"/api/v1/risk-indicators/{pk}/"
    assert _as(api_client, world.polsek).patch(url, {"weight": "1"}, format="json").status_code == 403
    response = _as(api_client, world.kabag).patch(url, {"weight": "17.5"}, format="json")
    assert response.status_code == 200
    assert RiskIndicator.objects.get(pk=pk).weight == D("17.5")


def test_number_indicator_without_full_weight_is_400(api_client, world):
    response = _as(api_client, world.kabag).post(
        "/api/v1/risk-indicators/",
        {"code": "baru", "label": "Baru", "kind": "number", "weight": "5"},
        format="json",
    )
    assert response.status_code == 400


def test_ranking_endpoint_matches_page_data_and_filters(api_client, world):
    report = _submitted(world)
    report_verify(report=report, by=world.kabag)
    url = f"/api/v1/operations/{world.operation.pk}/ranking/"
    body = _as(api_client, world.pimpinan).get(url).json()
    assert body["count"] == 3
    assert body["results"][-1]["village_election"] == world.own[0].pk  # Aman ranks below the unassessed
    assert body["results"][-1]["level"] == 1
    body = api_client.get(url, {"level": 1}).json()
    assert [r["village_election"] for r in body["results"]] == [world.own[0].pk]
    body = api_client.get(url, {"kecamatan": world.foreign.desa.kecamatan_id}).json()
    assert [r["village_election"] for r in body["results"]] == [world.foreign.pk]


@pytest.mark.parametrize("query", [{"level": 9}, {"kecamatan": "abc"}, {"polsek": 999999}])
def test_ranking_bad_filters_are_400(api_client, world, query):
    response = _as(api_client, world.pimpinan).get(f"/api/v1/operations/{world.operation.pk}/ranking/", query)
    assert response.status_code == 400


def test_ranking_rows_follow_the_jurisdiction_and_404_for_unknown_operation(
    api_client, world, django_user_model
):
    # HQ reads every village; a Polsek the rows of its own villages (issue 17); no role, nothing.
    url = f"/api/v1/operations/{world.operation.pk}/ranking/"
    rows = _as(api_client, world.polsek).get(url).json()["results"]
    assert sorted(r["village_election"] for r in rows) == sorted(v.pk for v in world.own)
    nobody = django_user_model.objects.create_user("tanpa-peran", password="x")
    assert _as(api_client, nobody).get(url).status_code == 403
    assert _as(api_client, world.kabag).get("/api/v1/operations/999999/ranking/").status_code == 404


@pytest.mark.parametrize("size", [3, 60])
def test_ranking_endpoint_query_count_is_flat(api_client, make_user, size, django_assert_max_num_queries):
    world = build_world(make_user, own_villages=size)
    client = _as(api_client, world.kabag)
    with django_assert_max_num_queries(6):
        response = client.get(f"/api/v1/operations/{world.operation.pk}/ranking/")
    assert response.json()["count"] == size + 1


def test_override_via_api(api_client, world):
    url = f"/api/v1/village-elections/{world.own[0].pk}/override/"
    assert (
        _as(api_client, world.pimpinan).post(url, {"level": 3, "reason": "x"}, format="json").status_code
        == 403
    )
    client = _as(api_client, world.kabag)
    response = client.post(url, {"level": 3}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(url, {"level": 3, "reason": "Pengerahan massa."}, format="json")
    assert response.status_code == 200 and response.json()["override_level"] == 3
    standing = VillageStanding.objects.get(operation=world.operation, village_election=world.own[0])
    assert standing.level == 3
    assert client.delete(url).json()["override_level"] is None
    assert client.post("/api/v1/village-elections/999999/override/", {}, format="json").status_code == 404
