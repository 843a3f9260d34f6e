"""Allocation proposals: computed from free officers and stored need, applied atomically or refused."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations.models import (
    AllocationProposal,
    Assignment,
    BkoContingent,
    Duty,
    Operation,
    RiskLevel,
    Stage,
    Unit,
    VillageStanding,
)
from operations.ranks import Pangkat
from operations.services.assignments import assignment_create
from operations.services.proposals import (
    CLOSED_CODE,
    STALE_CODE,
    UNPOSTABLE_CODE,
    proposal_apply,
    proposal_create,
    proposal_discard,
)
from operations.services.reports import risk_override
from operations.services.standings import standings_refresh
from tests.factories import (
    AllocationProposalFactory,
    DesaFactory,
    OfficerFactory,
    ProposalItemFactory,
    UnitFactory,
    VillageElectionFactory,
)
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def standing(world, village):
    return VillageStanding.objects.get(operation=world.operation, village_election=village)


def set_level(world, village, level, required):
    VillageStanding.objects.filter(operation=world.operation, village_election=village).update(
        level=level, required_personnel=required, shortfall=required
    )


def codes_of(excinfo) -> set:
    return {error.code for error in excinfo.value.error_list}


def added_by_village(proposal) -> dict[int, int]:
    return {v["village_election_id"]: v["added"] for v in proposal.summary["villages"]}


def test_proposal_fills_riskiest_village_first_and_reports_shortfall(world):
    set_level(world, world.own[0], RiskLevel.AMAN, 2)
    set_level(world, world.own[1], RiskLevel.SANGAT_RAWAN, 4)
    set_level(world, world.foreign, RiskLevel.RAWAN, 2)
    officers(world.polres, 4)

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    added = added_by_village(proposal)
    assert added[world.own[1].pk] == 4
    assert proposal.items.count() == 4
    assert proposal.total_shortfall == 4
    assert proposal.summary["shortfall_by_level"] == {"3": 0, "2": 2, "1": 2}
    assert proposal.based_on_version == world.operation.assignment_version


def test_existing_postings_are_kept_and_counted(world):
    set_level(world, world.own[0], RiskLevel.SANGAT_RAWAN, 4)
    for village in (world.own[1], world.foreign):
        set_level(world, village, RiskLevel.AMAN, 0)
    first, second = officers(world.polres, 2)
    assignment_create(
        operation=world.operation,
        officer=first,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        by=world.kabag,
    )
    officers(world.polres, 5)

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    row = next(v for v in proposal.summary["villages"] if v["village_election_id"] == world.own[0].pk)
    assert (row["existing"], row["added"], row["shortfall"]) == (1, 3, 0)
    assert not proposal.items.filter(officer=first).exists()


def test_polsek_officers_are_proposed_only_inside_their_area(world):
    for village in world.own:
        set_level(world, village, RiskLevel.AMAN, 2)
    set_level(world, world.foreign, RiskLevel.SANGAT_RAWAN, 10)
    officers(world.polsek, 4)

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    assert set(proposal.items.values_list("village_election_id", flat=True)) == {v.pk for v in world.own}


def test_bko_pool_can_be_left_out_to_show_the_shortfall(world):
    set_level(world, world.own[0], RiskLevel.SANGAT_RAWAN, 4)
    for village in (world.own[1], world.foreign):
        set_level(world, village, RiskLevel.AMAN, 0)
    officers(world.brimob, 4)

    with_bko = proposal_create(operation=world.operation, by=world.kabag)
    without_bko = proposal_create(operation=world.operation, by=world.kabag, exclude_bko=True)

    assert with_bko.total_shortfall == 0
    assert without_bko.total_shortfall == 4
    assert without_bko.items.count() == 0


def test_bko_not_yet_arrived_is_not_proposed(make_user):
    world = build_world(make_user, bko_status=BkoContingent.Status.EXPECTED)
    officers(world.brimob, 4)

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    assert proposal.items.count() == 0
    assert proposal.summary["free_officers"] == 0


def test_sea_village_gets_a_boat_team_from_the_own_arrived_polairud_and_names_it(world):
    # Issue 13: the summary named the alphabetically first Polairud unit (a BKO contingent not yet
    # arrived) and the island got land officers only, while Sat Polairud went to a land village.
    own = UnitFactory(kind=Unit.Kind.POLAIRUD, name="Sat Polairud Polres Uji")
    polda = UnitFactory(kind=Unit.Kind.POLAIRUD, name="Ditpolairud Polda Uji", supplies_bko=True)
    BkoContingent.objects.create(operation=world.operation, unit=polda)
    island = VillageElectionFactory(
        election=world.operation.election,
        desa=DesaFactory(
            kecamatan=world.own[0].desa.kecamatan, sea_access_only=True, latitude=-5.8, longitude=106.3
        ),
    )
    standings_refresh(operation=world.operation)
    set_level(world, world.own[0], RiskLevel.SANGAT_RAWAN, 4)
    set_level(world, island, RiskLevel.AMAN, 4)
    crew = officers(own, 3)
    officers(polda, 3)

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    row = next(v for v in proposal.summary["villages"] if v["village_election_id"] == island.pk)
    assert row["sea_access_only"]
    assert row["polairud"] == "Sat Polairud Polres Uji"
    assert (row["boat_need"], row["boat_team"]) == (2, 2)
    boat = proposal.items.filter(duty=Duty.BOAT_TEAM)
    assert set(boat.values_list("village_election_id", flat=True)) == {island.pk}
    assert set(boat.values_list("officer_id", flat=True)) <= {o.pk for o in crew}
    assert boat.count() == 2


def test_apply_posts_every_officer_and_recounts(world):
    officers(world.polres, 6)
    proposal = proposal_create(operation=world.operation, by=world.kabag)

    created = proposal_apply(proposal=proposal, by=world.kabag)

    proposal.refresh_from_db()
    assert proposal.status == AllocationProposal.Status.APPLIED
    assert len(created) == proposal.items.count() == Assignment.objects.count() == 6
    assigned = sum(s.assigned_personnel for s in VillageStanding.objects.filter(operation=world.operation))
    assert assigned == 6


def test_second_proposal_from_same_state_is_refused_and_nothing_half_applied(world):
    officers(world.polres, 6)
    first = proposal_create(operation=world.operation, by=world.kabag)
    second = proposal_create(operation=world.operation, by=world.kabag)
    proposal_apply(proposal=first, by=world.kabag)
    before = Assignment.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        proposal_apply(proposal=second, by=world.kabag)

    assert codes_of(excinfo) == {STALE_CODE}
    assert "Usulan usang: penugasan tahap Hari pemungutan suara berubah" in excinfo.value.messages[0]
    assert Assignment.objects.count() == before
    second.refresh_from_db()
    assert second.status == AllocationProposal.Status.OPEN


def test_apply_rechecks_the_rules_all_or_nothing(world):
    keep, leaver = officers(world.polres, 2)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    leaver.is_active = False
    leaver.save()

    with pytest.raises(ValidationError) as excinfo:
        proposal_apply(proposal=proposal, by=world.kabag)

    assert "tidak aktif" in excinfo.value.messages[0]
    assert leaver.nrp in excinfo.value.messages[0]
    assert codes_of(excinfo) == {UNPOSTABLE_CODE}
    assert not Assignment.objects.exists()


def test_discarded_proposal_cannot_be_applied(world):
    officers(world.polres, 2)
    proposal = proposal_create(operation=world.operation, by=world.kabag)

    proposal_discard(proposal=proposal, by=world.kabag)
    with pytest.raises(ValidationError) as excinfo:
        proposal_apply(proposal=proposal, by=world.kabag)

    assert codes_of(excinfo) == {CLOSED_CODE}
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("villages", [3, 30])
def test_proposal_reads_in_a_fixed_number_of_queries(make_user, villages):
    world = build_world(make_user, own_villages=villages)
    officers(world.polres, villages)
    officers(world.polsek, villages)

    with CaptureQueriesContext(connection) as queries:
        proposal_create(operation=world.operation, by=world.kabag)

    # Issue 13 added fixed reads: boat crews and escorts already posted, the flagged candidates,
    # the capability catalogue and officers' own capabilities, the names of the sending units;
    # and the pattern set's patrol per kecamatan (the patrols' reads are counted with them).
    assert len(queries) <= 17


@pytest.fixture
def demo_operation(db):
    call_command("load_demo", stdout=StringIO())
    return Operation.objects.get()


def test_serang_demo_proposed_and_applied_end_to_end(demo_operation):
    kabag = get_user_model().objects.filter(groups__name="Kabag Ops").first()

    without_bko = proposal_create(operation=demo_operation, by=kabag, exclude_bko=True)
    proposal = proposal_create(operation=demo_operation, by=kabag)
    proposal_apply(proposal=proposal, by=kabag)

    short = {v["desa"]: v["shortfall"] for v in without_bko.summary["villages"]}
    assert short["Mekarsari"] == short["Lamaran"] == 0
    assert without_bko.total_shortfall > 0
    assert without_bko.summary["shortfall_by_level"]["3"] == 0
    standings = {
        s.village_election.desa.name: s
        for s in VillageStanding.objects.filter(operation=demo_operation).select_related(
            "village_election__desa"
        )
    }
    for name in ("Mekarsari", "Lamaran"):
        assert standings[name].assigned_personnel == standings[name].required_personnel
    wargasara = next(v for v in proposal.summary["villages"] if v["desa"] == "Wargasara")
    assert wargasara["polairud"] == "Sat Polairud Polres Serang"


def test_command_ranks_are_never_proposed_but_can_be_assigned_by_hand(world):
    set_level(world, world.own[0], RiskLevel.SANGAT_RAWAN, 4)
    officers(world.polres, 4)
    commander = OfficerFactory(unit=world.polres, rank=Pangkat.KOMPOL)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    assert not proposal.items.filter(officer=commander).exists()
    assert proposal.items.exists()
    posting = assignment_create(
        operation=world.operation,
        officer=commander,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        command_reason="Memimpin langsung di desa sangat rawan",
        by=world.kabag,
    )
    assert posting.officer == commander
    assert posting.command_reason


def test_override_raising_a_village_makes_an_older_proposal_stale(world):
    for village in (world.own[1], world.foreign):
        set_level(world, village, RiskLevel.AMAN, 0)
    officers(world.polres, 20)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    assert proposal.items.exists()

    risk_override(
        village_election=world.own[1], level=RiskLevel.SANGAT_RAWAN, reason="Bentrok massa", by=world.kabag
    )
    assert standing(world, world.own[1]).required_personnel > 0

    with pytest.raises(ValidationError) as excinfo:
        proposal_apply(proposal=proposal, by=world.kabag)

    assert codes_of(excinfo) == {STALE_CODE}
    assert (
        f"Usulan usang: tingkat/kebutuhan Desa {world.own[1].desa.name} berubah" in excinfo.value.messages[0]
    )
    assert world.own[0].desa.name not in excinfo.value.messages[0]
    assert not Assignment.objects.exists()


def test_need_changed_without_level_change_makes_the_proposal_stale(world):
    officers(world.polres, 4)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    row = standing(world, world.own[0])
    set_level(world, world.own[0], row.level, row.required_personnel + 3)

    with pytest.raises(ValidationError) as excinfo:
        proposal_apply(proposal=proposal, by=world.kabag)

    assert codes_of(excinfo) == {STALE_CODE}
    assert world.own[0].desa.name in excinfo.value.messages[0]


def test_postings_of_another_stage_leave_a_proposal_applicable(world):
    officers(world.polres, 4)
    (registrar,) = officers(world.polsek, 1)
    voting = proposal_create(operation=world.operation, by=world.kabag)
    counting = proposal_create(operation=world.operation, stage=Stage.COUNTING, by=world.kabag)

    assignment_create(
        operation=world.operation,
        officer=registrar,
        duty=Duty.VILLAGE_GUARD,
        stage=Stage.REGISTRATION,
        village_election=world.own[0],
        by=world.kabag,
    )
    proposal_apply(proposal=counting, by=world.kabag)
    proposal_apply(proposal=voting, by=world.kabag)

    assert Assignment.objects.filter(stage=Stage.COUNTING).count() == counting.items.count() > 0
    assert Assignment.objects.filter(stage=Stage.VOTING).count() == voting.items.count() > 0


def test_postings_of_its_own_stage_make_a_proposal_stale_naming_the_stage(world):
    officers(world.polres, 4)
    counting = proposal_create(operation=world.operation, stage=Stage.COUNTING, by=world.kabag)
    (late,) = officers(world.polres, 1)
    assignment_create(
        operation=world.operation,
        officer=late,
        duty=Duty.RESERVE,
        stage=Stage.COUNTING,
        by=world.kabag,
    )

    with pytest.raises(ValidationError) as excinfo:
        proposal_apply(proposal=counting, by=world.kabag)

    assert codes_of(excinfo) == {STALE_CODE}
    assert str(Stage.COUNTING.label) in excinfo.value.messages[0]


def test_factory_proposal_applies_but_one_without_a_recorded_basis_is_refused(world):
    (officer,) = officers(world.polres, 1)
    recorded = AllocationProposalFactory(operation=world.operation)
    ProposalItemFactory(proposal=recorded, officer=officer, village_election=world.own[0])
    unrecorded = AllocationProposalFactory(operation=world.operation, basis={})

    assert len(proposal_apply(proposal=recorded, by=world.kabag)) == 1
    with pytest.raises(ValidationError) as excinfo:
        proposal_apply(proposal=unrecorded, by=world.kabag)

    assert codes_of(excinfo) == {STALE_CODE}


def test_flagged_candidates_get_named_escort_pairs_that_apply_as_close_escort(world):
    # Issue 13: Mekarsari needed "(2 calon dikawal)" yet every posting was a TPS guard.
    from tests.factories import CandidateFactory

    village = world.own[0]
    flagged = [
        CandidateFactory(village_election=village, ballot_number=n, needs_close_escort=True) for n in (1, 2)
    ]
    CandidateFactory(village_election=village, ballot_number=3)
    standings_refresh(operation=world.operation)
    for other in (world.own[1], world.foreign):
        set_level(world, other, RiskLevel.AMAN, 0)
    required = standing(world, village).required_personnel
    officers(world.polsek, required)

    proposal = proposal_create(operation=world.operation, by=world.kabag)
    escorts = proposal.items.filter(duty=Duty.CLOSE_ESCORT)
    per_candidate = {c.pk: escorts.filter(candidate=c).count() for c in flagged}
    assert per_candidate == {c.pk: world.operation.escorts_per_candidate for c in flagged}
    assert all(n >= 2 and n % 2 == 0 for n in per_candidate.values())

    proposal_apply(proposal=proposal, by=world.kabag)
    posted = Assignment.objects.filter(operation=world.operation, duty=Duty.CLOSE_ESCORT)
    assert {a.candidate_id for a in posted} == {c.pk for c in flagged}
