"""Posting rules (clear field errors), database constraints, version bump, recount, team leader."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from operations.models import Assignment, BkoContingent, Duty, Stage, VillageStanding
from operations.ranks import Pangkat
from operations.selectors.deployment import team_leader
from operations.services import assignments as service
from operations.services.assignments import assignment_create, assignment_delete, team_leader_set
from tests.factories import CandidateFactory, OfficerFactory, VillageElectionFactory
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def post(world, officer, village=None, **kwargs):
    kwargs.setdefault("duty", Duty.VILLAGE_GUARD)
    return assignment_create(
        operation=world.operation,
        officer=officer,
        village_election=village if village is not None else world.own[0],
        by=world.kabag,
        **kwargs,
    )


def error_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_polres_officer_is_posted_and_denormalised_columns_are_filled(world):
    (officer,) = officers(world.polres, 1)

    assignment = post(world, officer)

    assert assignment.pk
    assert assignment.kecamatan_id == world.own[0].desa.kecamatan_id
    assert assignment.desa_id == world.own[0].desa_id
    assert assignment.area_polsek_id == world.polsek.pk
    assert assignment.officer_polsek_id is None
    assert assignment.assigned_by == world.kabag


@pytest.mark.parametrize(
    ("arrange", "field", "fragment"),
    [
        (lambda w: (officers(w.polres, 1, is_active=False)[0], {}), "officer", "tidak aktif"),
        (lambda w: (officers(w.other_polsek, 1)[0], {}), "village_election", "wilayah hukum"),
        (
            lambda w: (officers(w.polres, 1, home_desa=w.own[0].desa)[0], {}),
            "village_election",
            "Netralitas",
        ),
        (
            lambda w: (officers(w.polres, 1)[0], {"village": VillageElectionFactory()}),
            "village_election",
            "tidak termasuk pilkades",
        ),
        (lambda w: (officers(w.polres, 1)[0], {"duty": Duty.CLOSE_ESCORT}), "candidate", "Pilih calon"),
    ],
    ids=["inactive", "polsek-outside-area", "home-desa", "other-election", "escort-no-candidate"],
)
def test_rule_violations_give_field_errors(world, arrange, field, fragment):
    officer, kwargs = arrange(world)

    with pytest.raises(ValidationError) as excinfo:
        post(world, officer, **kwargs)

    assert fragment in " ".join(error_of(excinfo)[field])
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (BkoContingent.Status.EXPECTED, False),
        (BkoContingent.Status.ARRIVED, True),
        (BkoContingent.Status.RELEASED, False),
    ],
)
def test_bko_officers_only_once_their_contingent_arrived(world, status, allowed):
    world.contingent.status = status
    world.contingent.save()
    (officer,) = officers(world.brimob, 1)

    if allowed:
        assert post(world, officer, village=world.foreign).pk
    else:
        with pytest.raises(ValidationError) as excinfo:
            post(world, officer, village=world.foreign)
        assert "BKO" in error_of(excinfo)["officer"][0]


def test_polsek_officer_may_guard_own_area_or_stand_in_reserve(world):
    inside, reserve = officers(world.polsek, 2)
    outsider_reserve = officers(world.other_polsek, 1)[0]

    post(world, inside)
    assignment_create(operation=world.operation, officer=reserve, duty=Duty.RESERVE, by=world.kabag)
    assignment_create(operation=world.operation, officer=outsider_reserve, duty=Duty.RESERVE, by=world.kabag)

    assert Assignment.objects.count() == 3


def test_double_booking_refused_in_same_stage_allowed_in_another(world):
    (officer,) = officers(world.polres, 1)
    post(world, officer)

    with pytest.raises(ValidationError) as excinfo:
        post(world, officer, village=world.own[1])
    post(world, officer, village=world.own[1], stage=Stage.COUNTING)

    assert "sudah mendapat tugas" in error_of(excinfo)["officer"][0]
    assert Assignment.objects.filter(officer=officer).count() == 2


def test_patrol_needs_a_kecamatan(world):
    (officer,) = officers(world.polres, 1)

    with pytest.raises(ValidationError) as excinfo:
        assignment_create(operation=world.operation, officer=officer, duty=Duty.PATROL, by=world.kabag)

    assert "kecamatan" in error_of(excinfo)


def test_close_escort_of_candidate_from_another_village_is_refused(world):
    (officer,) = officers(world.polres, 1)
    candidate = CandidateFactory(village_election=world.own[1])

    with pytest.raises(ValidationError) as excinfo:
        post(world, officer, duty=Duty.CLOSE_ESCORT, candidate=candidate)

    assert "candidate" in error_of(excinfo)


def test_race_caught_by_database_reads_like_the_check(world, monkeypatch):
    (officer,) = officers(world.polres, 1)
    build = service._build

    def build_then_lose_the_race(**kwargs):
        result = build(**kwargs)
        Assignment.objects.create(
            operation=world.operation,
            officer=officer,
            duty=Duty.RESERVE,
            stage=Stage.VOTING,
            assigned_by=world.kabag,
        )
        return result

    monkeypatch.setattr(service, "_build", build_then_lose_the_race)

    with pytest.raises(ValidationError) as excinfo:
        post(world, officer)

    assert "sudah mendapat tugas" in error_of(excinfo)["officer"][0]


@pytest.mark.parametrize(
    "columns",
    [
        {"desa": "home", "officer_home_desa": "home"},
        {"officer_polsek": "other_polsek", "area_polsek": "polsek"},
    ],
    ids=["neutrality", "jurisdiction"],
)
def test_database_refuses_postings_that_skip_the_service(world, columns):
    (officer,) = officers(world.polres, 1)
    values = {
        "home": world.own[0].desa,
        "polsek": world.polsek,
        "other_polsek": world.other_polsek,
    }

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            operation=world.operation,
            officer=officer,
            duty=Duty.VILLAGE_GUARD,
            village_election=world.own[0],
            assigned_by=world.kabag,
            **{column: values[key] for column, key in columns.items()},
        )


def test_posting_and_removal_bump_version_and_recount_the_village(world):
    a, b = officers(world.polres, 2)
    version = world.operation.assignment_version
    standing = VillageStanding.objects.get(operation=world.operation, village_election=world.own[0])
    need = standing.required_personnel

    first = post(world, a)
    post(world, b)
    standing.refresh_from_db()
    assert (standing.assigned_personnel, standing.shortfall) == (2, need - 2)

    assignment_delete(assignment=first, by=world.kabag)
    standing.refresh_from_db()
    world.operation.refresh_from_db()
    assert (standing.assigned_personnel, standing.shortfall) == (1, need - 1)
    assert world.operation.assignment_version == version + 3


def test_team_leader_is_most_senior_then_lower_nrp_unless_named(world):
    junior = OfficerFactory(unit=world.polres, rank=Pangkat.BRIPDA, nrp="80000001")
    senior_b = OfficerFactory(unit=world.polres, rank=Pangkat.AIPTU, nrp="80000003")
    senior_a = OfficerFactory(unit=world.polres, rank=Pangkat.AIPTU, nrp="80000002")
    for officer in (junior, senior_b, senior_a):
        post(world, officer)

    def leader():
        team = list(Assignment.objects.filter(village_election=world.own[0]).select_related("officer"))
        return team_leader(team=team).officer

    assert leader() == senior_a
    team_leader_set(
        operation=world.operation,
        stage=Stage.VOTING,
        village_election=world.own[0],
        officer=junior,
        by=world.kabag,
    )
    assert leader() == junior
    team_leader_set(
        operation=world.operation,
        stage=Stage.VOTING,
        village_election=world.own[0],
        officer=None,
        by=world.kabag,
    )
    assert leader() == senior_a


def test_team_leader_must_belong_to_the_team(world):
    (outsider,) = officers(world.polres, 1)

    with pytest.raises(ValidationError) as excinfo:
        team_leader_set(
            operation=world.operation,
            stage=Stage.VOTING,
            village_election=world.own[0],
            officer=outsider,
            by=world.kabag,
        )

    assert "officer" in error_of(excinfo)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_posting_the_same_officer_at_once_one_wins(make_user):
    world = build_world(make_user)
    (officer,) = officers(world.polres, 1)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def attempt(village):
        try:
            barrier.wait(timeout=10)
            outcomes.append(post(world, officer, village=village))
        except ValidationError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(v,)) for v in world.own]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    created = [o for o in outcomes if isinstance(o, Assignment)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(created) == 1
    assert len(refused) == 1
    assert "sudah mendapat tugas" in refused[0].message_dict["officer"][0]
    assert Assignment.objects.filter(officer=officer).count() == 1
