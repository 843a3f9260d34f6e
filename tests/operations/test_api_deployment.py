"""Deployment API: assignments, proposals (compute/apply/discard, 409 when stale), order files, roles."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from operations.models import AllocationProposal, Assignment, BkoContingent, Duty, RiskLevel
from operations.services.assignments import assignment_create
from operations.services.proposals import proposal_create
from operations.services.reports import risk_override
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db

ASSIGNMENTS = "/api/v1/assignments/"


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def login(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def guard(world, officer, village=None):
    return assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=village or world.own[0],
        by=world.kabag,
    )


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        (None, 401, 401),
        ("polsek_user", 403, 403),
        ("pimpinan", 200, 403),
        ("kabag", 200, 201),
    ],
)
def test_assignment_access_per_role(api_client, world, role, read, write):
    (officer,) = officers(world.polres, 1)
    login(api_client, getattr(world, role) if role else None)

    listed = api_client.get(ASSIGNMENTS)
    created = api_client.post(
        ASSIGNMENTS,
        {
            "operation": world.operation.pk,
            "officer": officer.pk,
            "duty": Duty.VILLAGE_GUARD,
            "village_election": world.own[0].pk,
        },
        format="json",
    )

    assert listed.status_code == read
    assert created.status_code == write
    assert Assignment.objects.count() == (1 if write == 201 else 0)


@pytest.mark.parametrize(
    ("arrange", "field", "fragment"),
    [
        (lambda w: {"officer": officers(w.polres, 1, is_active=False)[0].pk}, "officer", "tidak aktif"),
        (lambda w: {"officer": officers(w.other_polsek, 1)[0].pk}, "village_election", "wilayah hukum"),
        (
            lambda w: {"officer": officers(w.polres, 1, home_desa=w.own[0].desa)[0].pk},
            "village_election",
            "Netralitas",
        ),
        (lambda w: {"officer": 999999}, "officer", ""),
        (lambda w: {"officer": officers(w.polres, 1)[0].pk, "duty": "sleep"}, "duty", ""),
    ],
    ids=["inactive", "outside-area", "home-desa", "unknown-officer", "bad-duty"],
)
def test_rule_violations_answer_400_with_field_messages(api_client, world, arrange, field, fragment):
    body = {"operation": world.operation.pk, "duty": Duty.VILLAGE_GUARD, "village_election": world.own[0].pk}
    body.update(arrange(world))
    login(api_client, world.kabag)

    response = api_client.post(ASSIGNMENTS, body, format="json")

    assert response.status_code == 400
    messages = response.json()["errors"][field]
    assert fragment in " ".join(messages)


def test_double_booking_over_the_api(api_client, world):
    (officer,) = officers(world.polres, 1)
    guard(world, officer)
    login(api_client, world.kabag)

    response = api_client.post(
        ASSIGNMENTS,
        {
            "operation": world.operation.pk,
            "officer": officer.pk,
            "duty": Duty.VILLAGE_GUARD,
            "village_election": world.own[1].pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "sudah mendapat tugas" in response.json()["errors"]["officer"][0]


def test_delete_assignment(api_client, world):
    assignment = guard(world, officers(world.polres, 1)[0])
    login(api_client, world.kabag)

    response = api_client.delete(f"{ASSIGNMENTS}{assignment.pk}/")

    assert response.status_code == 204
    assert not Assignment.objects.exists()


def test_pimpinan_cannot_delete(api_client, world):
    assignment = guard(world, officers(world.polres, 1)[0])
    login(api_client, world.pimpinan)

    assert api_client.delete(f"{ASSIGNMENTS}{assignment.pk}/").status_code == 403
    assert Assignment.objects.exists()


def test_filter_assignments_by_unit_and_village(api_client, world):
    guard(world, officers(world.polres, 1)[0])
    polsek_posting = guard(world, officers(world.polsek, 1)[0], village=world.own[1])
    login(api_client, world.pimpinan)

    by_unit = api_client.get(ASSIGNMENTS, {"unit": world.polsek.pk}).json()["results"]
    by_village = api_client.get(ASSIGNMENTS, {"village_election": world.own[1].pk}).json()["results"]

    assert [a["id"] for a in by_unit] == [polsek_posting.pk]
    assert [a["id"] for a in by_village] == [polsek_posting.pk]


@pytest.mark.parametrize("size", [2, 20])
def test_assignment_list_query_count_is_flat(api_client, make_user, size):
    world = build_world(make_user)
    for officer in officers(world.polres, size):
        guard(world, officer)
    login(api_client, world.pimpinan)

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(ASSIGNMENTS)

    assert response.json()["count"] == size
    assert len(queries) <= 4


def test_compute_then_apply_a_proposal(api_client, world):
    officers(world.polres, 4)
    login(api_client, world.kabag)

    computed = api_client.post(f"/api/v1/operations/{world.operation.pk}/proposal/", {}, format="json")
    proposal_id = computed.json()["id"]
    applied = api_client.post(f"/api/v1/proposals/{proposal_id}/apply/")

    assert computed.status_code == 201
    assert len(computed.json()["items"]) == 4
    assert {"villages", "shortfall_by_level", "timing_ms"} <= set(computed.json()["summary"])
    assert applied.status_code == 200
    assert applied.json()["status"] == AllocationProposal.Status.APPLIED
    assert Assignment.objects.count() == 4


def test_stale_proposal_is_a_409_conflict_and_nothing_changes(api_client, world):
    officers(world.polres, 4)
    first = proposal_create(operation=world.operation, by=world.kabag)
    second = proposal_create(operation=world.operation, by=world.kabag)
    login(api_client, world.kabag)
    api_client.post(f"/api/v1/proposals/{first.pk}/apply/")

    response = api_client.post(f"/api/v1/proposals/{second.pk}/apply/")

    assert response.status_code == 409
    assert response.json()["code"] == "stale_proposal"
    assert "Usulan usang: penugasan tahap" in response.json()["detail"]
    assert Assignment.objects.count() == 4


def test_discard_then_apply_is_a_409(api_client, world):
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    login(api_client, world.kabag)

    discarded = api_client.post(f"/api/v1/proposals/{proposal.pk}/discard/")
    applied = api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/")

    assert discarded.json()["status"] == AllocationProposal.Status.DISCARDED
    assert applied.status_code == 409


@pytest.mark.parametrize(
    ("role", "compute", "read"),
    [(None, 401, 401), ("polsek_user", 403, 403), ("pimpinan", 403, 200), ("kabag", 201, 200)],
)
def test_proposal_access_per_role(api_client, world, role, compute, read):
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    login(api_client, getattr(world, role) if role else None)

    assert api_client.post(f"/api/v1/operations/{world.operation.pk}/proposal/").status_code == compute
    assert api_client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == read
    if role != "kabag":
        assert api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/").status_code in (401, 403)


def test_proposal_for_unknown_operation_is_404(api_client, world):
    login(api_client, world.kabag)

    assert api_client.post("/api/v1/operations/999999/proposal/").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 401), ("polsek_user", 403), ("pimpinan", 200), ("kabag", 200)]
)
def test_order_files_per_role(api_client, world, role, expected):
    officer = officers(world.polres, 1, name="Slamet Riyadi")[0]
    guard(world, officer)
    login(api_client, getattr(world, role) if role else None)

    pdf = api_client.get(f"/api/v1/operations/{world.operation.pk}/order.pdf")
    xlsx = api_client.get(f"/api/v1/operations/{world.operation.pk}/order.xlsx")

    assert pdf.status_code == xlsx.status_code == expected
    if expected == 200:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Slamet Riyadi" in text
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        name = rows[2].index("Nama")  # title, order number/date, then the headers (issue 13 layout)
        assert "Slamet Riyadi" in [row[name] for row in rows[3:]]


def _leave(officer):
    officer.is_active = False
    officer.save()


def _move_home_to_proposed_village(officer, proposal):
    item = proposal.items.select_related("village_election").get(officer=officer)
    officer.home_desa_id = item.village_election.desa_id
    officer.save()


@pytest.mark.parametrize(
    ("make_officers", "break_it", "fragment"),
    [
        (lambda w: officers(w.polres, 2), lambda w, o, p: _leave(o[0]), "tidak aktif"),
        (
            lambda w: officers(w.polres, 2),
            lambda w, o, p: _move_home_to_proposed_village(o[0], p),
            "Netralitas",
        ),
        (
            lambda w: officers(w.brimob, 2),
            lambda w, o, p: BkoContingent.objects.filter(pk=w.contingent.pk).update(
                status=BkoContingent.Status.RELEASED
            ),
            "BKO",
        ),
    ],
    ids=["officer-deactivated", "home-desa-is-proposed-village", "bko-released"],
)
def test_apply_after_an_officer_became_unpostable_is_a_409_naming_him(
    api_client, world, make_officers, break_it, fragment
):
    named = make_officers(world)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    assert proposal.items.count() == 2
    break_it(world, named, proposal)
    login(api_client, world.kabag)

    response = api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "proposal_unpostable"
    assert fragment in body["detail"]
    assert named[0].nrp in body["detail"]
    assert any(named[0].nrp in message for message in body["errors"]["non_field_errors"])
    assert not Assignment.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == AllocationProposal.Status.OPEN


def test_proposal_older_than_a_level_override_is_a_409_naming_the_village(api_client, world):
    officers(world.polres, 4)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    risk_override(
        village_election=world.foreign, level=RiskLevel.SANGAT_RAWAN, reason="Isu SARA", by=world.kabag
    )
    login(api_client, world.kabag)

    response = api_client.post(f"/api/v1/proposals/{proposal.pk}/apply/")

    assert response.status_code == 409
    assert response.json()["code"] == "stale_proposal"
    assert f"Desa {world.foreign.desa.name}" in response.json()["detail"]
    assert not Assignment.objects.exists()
