"""Issue 13 (4): the proposal puts the officers it leaves free in the reserve and sends patrols per
kecamatan when the pattern set asks for them; applying it writes those postings and the Sprin lists
them, every officer exactly once."""

import csv
import io
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.models import Assignment, Duty, RiskLevel, VillageStanding
from operations.services.proposals import proposal_apply, proposal_create
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    world = build_world(make_user)
    need = {world.own[0]: 4, world.own[1]: 0, world.foreign: 0}
    for village, required in need.items():
        VillageStanding.objects.filter(operation=world.operation, village_election=village).update(
            level=RiskLevel.RAWAN, required_personnel=required, shortfall=required
        )
    return world


def with_patrols(world, per_kecamatan: int) -> None:
    pattern_set = world.operation.pattern_set
    pattern_set.patrol_per_kecamatan = per_kecamatan
    pattern_set.save()


def test_officers_left_free_are_proposed_as_reserve_and_posted_on_apply(world):
    polres = officers(world.polres, 6)

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    duties = Counter(proposal.items.values_list("duty", flat=True))
    assert duties == {Duty.VILLAGE_GUARD: 4, Duty.RESERVE: 2}
    reserve = proposal.items.filter(duty=Duty.RESERVE)
    assert not reserve.filter(village_election__isnull=False).exists()
    assert proposal.summary["reserve"]["officers"] == 2

    proposal_apply(proposal=proposal, by=world.kabag)

    posted = Assignment.objects.filter(operation=world.operation)
    assert set(posted.values_list("officer_id", flat=True)) == {o.pk for o in polres}
    assert posted.filter(duty=Duty.RESERVE, village_election__isnull=True).count() == 2


def test_brimob_reaction_reserve_is_posted_as_reserve(world):
    world.operation.reaction_reserve = 2
    world.operation.save()
    officers(world.polres, 4)
    brimob = officers(world.brimob, 3)

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    reserve = proposal.items.filter(duty=Duty.RESERVE)
    reaction = [i for i in reserve if i.reason.get("reaction")]
    assert len(reaction) == 2 and {i.officer_id for i in reaction} <= {o.pk for o in brimob}
    # The third Brimob officer is no village's need either: reserve all the same, not the reaction's.
    assert reserve.count() == 3


def test_patrols_per_kecamatan_when_the_pattern_set_asks(world):
    with_patrols(world, 2)
    polsek = officers(world.polsek, 6)
    officers(world.polres, 2)

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    patrols = proposal.items.filter(duty=Duty.PATROL)
    by_kecamatan = Counter(patrols.values_list("kecamatan_id", flat=True))
    own, other = world.own[0].desa.kecamatan_id, world.foreign.desa.kecamatan_id
    assert by_kecamatan == {own: 2, other: 2}
    assert not patrols.filter(village_election__isnull=False).exists()
    # A Polsek patrols only its own kecamatan: the other one gets Polres officers.
    foreign_patrol = set(patrols.filter(kecamatan_id=other).values_list("officer_id", flat=True))
    assert not foreign_patrol & {o.pk for o in polsek}
    rows = {row["kecamatan_id"]: row for row in proposal.summary["patrols"]}
    assert (rows[own]["need"], rows[own]["added"], rows[own]["shortfall"]) == (2, 2, 0)
    assert proposal.items.filter(duty=Duty.RESERVE).count() == 8 - 4 - 4

    proposal_apply(proposal=proposal, by=world.kabag)

    posted = Assignment.objects.filter(operation=world.operation, duty=Duty.PATROL)
    assert Counter(posted.values_list("kecamatan_id", flat=True)) == {own: 2, other: 2}


def test_no_patrol_without_the_pattern_and_patrols_come_after_every_village(world):
    officers(world.polres, 4)
    without = proposal_create(operation=world.operation, by=world.kabag)
    with_patrols(world, 2)
    short = proposal_create(operation=world.operation, by=world.kabag)

    assert not without.items.filter(duty=Duty.PATROL).exists()
    assert without.summary["patrols"] == []
    # Four officers, four needed at the village: the patrols stay unfilled and say so.
    assert not short.items.filter(duty=Duty.PATROL).exists()
    assert short.total_shortfall == 0
    assert short.summary["patrol_shortfall"] == 4


def test_existing_patrol_postings_count_toward_the_kecamatan(world):
    from operations.services.assignments import assignment_create

    with_patrols(world, 2)
    own = world.own[0].desa.kecamatan_id
    first, *_rest = officers(world.polres, 8)
    assignment_create(
        operation=world.operation,
        officer=first,
        duty=Duty.PATROL,
        kecamatan=world.own[0].desa.kecamatan,
        by=world.kabag,
    )

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    rows = {row["kecamatan_id"]: row for row in proposal.summary["patrols"]}
    assert (rows[own]["existing"], rows[own]["added"]) == (1, 1)


def test_sprin_after_apply_lists_patrols_reserve_and_every_officer_once(client, world):
    with_patrols(world, 2)
    everyone = officers(world.polsek, 6) + officers(world.polres, 4)
    proposal = proposal_apply(
        proposal=proposal_create(operation=world.operation, by=world.kabag), by=world.kabag
    )
    assert len(proposal) == len(everyone)

    client.force_login(world.kabag)
    response = client.get(
        reverse("deployment-order", args=[world.operation.pk, "csv"]), HTTP_ACCEPT_LANGUAGE="id"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, body = rows[0], rows[1:]
    nrp = header.index("NRP")
    listed = Counter(r[nrp] for r in body)
    for officer in everyone:
        assert listed[officer.nrp] == 1, officer.name
    sections = Counter(r[0] for r in body if r[nrp])
    assert sections["Patroli"] == 4
    assert sections["Cadangan"] == len(everyone) - 4 - 4


def test_patrols_and_reserve_read_and_write_in_a_fixed_number_of_queries(make_user):
    counts = []
    for size in (2, 12):
        world = build_world(make_user, own_villages=size)
        with_patrols(world, 2)
        VillageStanding.objects.filter(operation=world.operation).update(required_personnel=2, shortfall=2)
        officers(world.polres, 6 * size)
        officers(world.polsek, size)
        with CaptureQueriesContext(connection) as queries:
            proposal = proposal_create(operation=world.operation, by=world.kabag)
        assert proposal.items.filter(duty=Duty.PATROL).exists()
        assert proposal.items.filter(duty=Duty.RESERVE).exists()
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_proposal_page_shows_the_patrols_and_the_reserve(client, world):
    with_patrols(world, 2)
    officers(world.polres, 9)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    (spare,) = [item.officer for item in proposal.items.filter(duty=Duty.RESERVE)]

    client.force_login(world.kabag)
    page_text = client.get(
        reverse("deployment-proposal", args=[proposal.pk]), HTTP_ACCEPT_LANGUAGE="id"
    ).content.decode()

    assert "Patroli kecamatan" in page_text
    assert world.foreign.desa.kecamatan.name in page_text
    reserve = page_text.split("Cadangan (1)")[1]
    assert spare.name in reserve
    assert "tidak dibutuhkan desa atau patroli" in reserve


def test_sprin_pdf_names_an_unfilled_patrol_without_an_empty_table(client, world):
    from pypdf import PdfReader

    with_patrols(world, 2)
    client.force_login(world.kabag)
    response = client.get(
        reverse("deployment-order", args=[world.operation.pk, "pdf"]), HTTP_ACCEPT_LANGUAGE="id"
    )

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    kecamatan = world.foreign.desa.kecamatan.name
    after = text.split(f"Patroli Kecamatan {kecamatan}: kebutuhan 2, ditugaskan 0")[1]
    assert after.lstrip().startswith("Belum ada personel.")


def test_a_later_proposal_draws_on_the_reserve_the_first_one_posted(world):
    """After a proposal is applied everybody is posted (the free ones to the reserve); when a village's
    need then grows, the next proposal must take officers from that reserve — that is what it is for —
    and applying it moves them out of the reserve, while the one it leaves there keeps his posting."""
    polres = officers(world.polres, 7)
    proposal_apply(proposal=proposal_create(operation=world.operation, by=world.kabag), by=world.kabag)
    reserve_before = set(
        Assignment.objects.filter(operation=world.operation, duty=Duty.RESERVE).values_list("pk", flat=True)
    )
    assert len(reserve_before) == 3
    VillageStanding.objects.filter(operation=world.operation, village_election=world.own[1]).update(
        level=RiskLevel.RAWAN, required_personnel=2, shortfall=2
    )

    second = proposal_create(operation=world.operation, by=world.kabag)

    # Two go out to the village; the third stays in the reserve as he is posted, no second item.
    assert Counter(second.items.values_list("duty", flat=True)) == {Duty.VILLAGE_GUARD: 2}
    proposal_apply(proposal=second, by=world.kabag)
    posted = Assignment.objects.filter(operation=world.operation)
    assert posted.count() == len(polres)  # each officer once: moved, not posted twice
    moved = set(posted.filter(village_election=world.own[1]).values_list("officer_id", flat=True))
    assert len(moved) == 2
    kept = set(posted.filter(duty=Duty.RESERVE).values_list("pk", flat=True))
    assert len(kept) == 1 and kept < reserve_before
    left = Assignment.history.filter(officer_id__in=moved, duty=Duty.RESERVE, history_type="-")
    assert left.count() == 2 and {h.history_user_id for h in left} == {world.kabag.pk}
