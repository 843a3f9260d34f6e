"""Bulk endpoints beside officers': decide many reports, create many assignments, upsert village
elections and candidates. One request, one transaction, errors by row index in the one shape."""

import pytest

from operations.models import Assignment, Duty, RiskReport
from operations.roles import PIMPINAN
from operations.services.reports import report_create, report_submit
from tests import factories
from tests.operations import deployment_setup, risk_setup
from villages.models import Candidate, VillageElection

pytestmark = pytest.mark.django_db

Status = RiskReport.Status


def _submitted(world, village):
    report = report_create(
        village_election=village, author=world.polsek, answers=risk_setup.answers(split_camps=True)
    )
    return report_submit(report=report, by=world.polsek)


def test_decide_many_reports_verifies_and_returns_in_one_request(api_client, make_user):
    world = risk_setup.build_world(make_user)
    first, second = (_submitted(world, village) for village in world.own)
    api_client.force_authenticate(world.kabag)
    response = api_client.post(
        "/api/v1/risk-reports/bulk-decide/",
        {
            "decisions": [
                {"report": first.pk, "action": "verify"},
                {"report": second.pk, "action": "return", "reason": "Tambah bukti."},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"verified": 1, "returned": 1}
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (Status.VERIFIED, Status.RETURNED)
    assert second.return_reason == "Tambah bukti."


def test_decide_many_is_all_or_nothing_with_errors_by_index(api_client, make_user):
    world = risk_setup.build_world(make_user)
    first, second = (_submitted(world, village) for village in world.own)
    api_client.force_authenticate(world.kabag)
    decisions = [
        {"report": first.pk, "action": "verify"},
        {"report": first.pk, "action": "verify"},  # verified by the row before: wrong state
        {"report": second.pk, "action": "return", "reason": "  "},
        {"report": 999999, "action": "verify"},
    ]
    response = api_client.post("/api/v1/risk-reports/bulk-decide/", {"decisions": decisions}, format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    rows = body["errors"]["rows"]
    assert sorted(rows) == ["1", "2", "3"]
    assert "Diajukan" in rows["1"]["non_field_errors"][0]
    assert "reason" in rows["2"] and "report" in rows["3"]
    first.refresh_from_db()
    assert first.status == Status.SUBMITTED  # the first row rolled back with the rest


def test_decide_many_reports_needs_the_kabag_ops(api_client, make_user):
    world = risk_setup.build_world(make_user)
    report = _submitted(world, world.own[0])
    for user in (world.polsek, world.pimpinan):
        api_client.force_authenticate(user)
        body = {"decisions": [{"report": report.pk, "action": "verify"}]}
        assert api_client.post("/api/v1/risk-reports/bulk-decide/", body, format="json").status_code == 403


def test_create_many_assignments_all_or_nothing(api_client, make_user):
    world = deployment_setup.build_world(make_user)
    first, second = deployment_setup.officers(world.polres, 2)
    api_client.force_authenticate(world.kabag)
    url = "/api/v1/assignments/bulk/"

    def posting(officer, village):
        return {
            "operation": world.operation.pk,
            "officer": officer.pk,
            "duty": Duty.VILLAGE_GUARD,
            "village_election": village.pk,
        }

    # The second row books the first row's officer again: refused, and the first is not written.
    clash = [posting(first, world.own[0]), posting(first, world.own[1])]
    response = api_client.post(url, {"assignments": clash}, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]["rows"]) == ["1"]
    assert "sudah mendapat tugas" in response.json()["errors"]["rows"]["1"]["officer"][0]
    assert not Assignment.objects.exists()

    good = [posting(first, world.own[0]), posting(second, world.own[1])]
    response = api_client.post(url, {"assignments": good}, format="json")
    assert response.status_code == 201, response.json()
    assert [row["officer"] for row in response.json()["assignments"]] == [first.pk, second.pk]
    assert Assignment.objects.count() == 2
    assert {h.history_user for h in Assignment.history.all()} == {world.kabag}


def test_create_many_assignments_refuses_pimpinan(api_client, make_user):
    world = deployment_setup.build_world(make_user)
    api_client.force_authenticate(world.pimpinan)
    body = {"assignments": [{"operation": world.operation.pk, "officer": 1, "duty": Duty.VILLAGE_GUARD}]}
    assert api_client.post("/api/v1/assignments/bulk/", body, format="json").status_code == 403


def test_upsert_village_elections_by_election_and_desa_code(api_client, make_user):
    from operations.roles import KABAG_OPS

    kabag = make_user(KABAG_OPS)
    election = factories.ElectionFactory()
    stored = factories.VillageElectionFactory(election=election, tps_count=2)
    fresh = factories.DesaFactory()
    api_client.force_authenticate(kabag)
    url = "/api/v1/village-elections/bulk/"
    rows = [
        {"election": election.pk, "desa_code": stored.desa.code, "tps_count": 5},
        {"election": election.pk, "desa_code": fresh.code, "tps_count": 3, "registered_voters": 900},
    ]
    response = api_client.post(url, {"village_elections": rows}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 0}
    stored.refresh_from_db()
    assert stored.tps_count == 5
    assert VillageElection.objects.get(desa=fresh).registered_voters == 900
    assert VillageElection.history.filter(desa=fresh).get().history_user == kabag

    bad = [
        {"election": election.pk, "desa_code": fresh.code, "tps_count": 4},
        {"election": election.pk, "desa_code": "00.00.00.0000", "tps_count": 1},
        {"election": election.pk, "desa_code": stored.desa.code, "tps_count": -1},
        {"election": election.pk, "desa_code": stored.desa.code, "bogus": 1},
    ]
    response = api_client.post(url, {"village_elections": bad}, format="json")
    assert response.status_code == 400, response.json()
    rows = response.json()["errors"]["rows"]
    assert sorted(rows) == ["1", "2", "3"]
    assert "desa_code" in rows["1"] and "tps_count" in rows["2"] and "bogus" in rows["3"]
    assert VillageElection.objects.get(desa=fresh).tps_count == 3  # row 0 rolled back


def test_upsert_candidates_by_village_election_and_ballot_number(api_client, make_user):
    from operations.roles import KABAG_OPS

    api_client.force_authenticate(make_user(KABAG_OPS))
    village = factories.VillageElectionFactory()
    factories.CandidateFactory(village_election=village, ballot_number=1, full_name="Lama")
    url = "/api/v1/candidates/bulk/"
    rows = [
        {"village_election": village.pk, "ballot_number": 1, "full_name": "Baru"},
        {"village_election": village.pk, "ballot_number": 2, "full_name": "Dua", "needs_close_escort": True},
    ]
    response = api_client.post(url, {"candidates": rows}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 0}
    assert list(
        Candidate.objects.filter(village_election=village)
        .order_by("ballot_number")
        .values_list("full_name", "needs_close_escort")
    ) == [("Baru", False), ("Dua", True)]
    again = api_client.post(url, {"candidates": rows[:1]}, format="json")
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 1}


def test_bulk_upserts_of_villages_refuse_pimpinan(api_client, make_user):
    api_client.force_authenticate(make_user(PIMPINAN))
    for url, key in (
        ("/api/v1/village-elections/bulk/", "village_elections"),
        ("/api/v1/candidates/bulk/", "candidates"),
    ):
        assert api_client.post(url, {key: [{}]}, format="json").status_code == 403


def test_bulk_body_must_be_a_non_empty_list(api_client, make_user):
    from operations.roles import KABAG_OPS

    api_client.force_authenticate(make_user(KABAG_OPS))
    for url, key in (
        ("/api/v1/village-elections/bulk/", "village_elections"),
        ("/api/v1/candidates/bulk/", "candidates"),
        ("/api/v1/assignments/bulk/", "assignments"),
        ("/api/v1/risk-reports/bulk-decide/", "decisions"),
    ):
        response = api_client.post(url, {key: []}, format="json")
        assert response.status_code == 400 and key in response.json()["errors"], (url, response.json())
        response = api_client.post(url, {key: [], "extra": 1}, format="json")
        assert "extra" in response.json()["errors"]


def test_created_postings_say_who_leads_reading_the_leaders_once(api_client, make_user, monkeypatch):
    """The answer names each new posting's team leader; the leaders are read once for the batch,
    not once per posting (a Polres posts hundreds at a time)."""
    from operations.api import deployment
    from operations.selectors.deployment import team_leader_ids

    world = deployment_setup.build_world(make_user)
    officers = deployment_setup.officers(world.polres, 5)
    reads = []

    def counted(postings):
        reads.append(len(postings))
        return team_leader_ids(postings)

    monkeypatch.setattr(deployment, "team_leader_ids", counted)
    monkeypatch.setattr("operations.api.bulk.team_leader_ids", counted)
    api_client.force_authenticate(world.kabag)
    body = {
        "assignments": [
            {
                "operation": world.operation.pk,
                "officer": o.pk,
                "duty": Duty.VILLAGE_GUARD,
                "village_election": v.pk,
            }
            for o, v in zip(officers, [world.own[0]] * 3 + [world.own[1]] * 2, strict=True)
        ]
    }
    response = api_client.post("/api/v1/assignments/bulk/", body, format="json")
    assert response.status_code == 201, response.json()
    assert reads == [5]
    leaders = [row["officer"] for row in response.json()["assignments"] if row["leads_team"]]
    senior = [
        min(team, key=lambda o: (-o.rank, o.nrp)).pk for team in (officers[:3], officers[3:])
    ]  # no one named: the most senior of each village's team
    assert leaders == senior
