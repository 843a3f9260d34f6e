"""The deployment board for a Polres of hundreds of officers (issue 18 item 2): villages as one line
with need/assigned/short/surplus, filters by Polsek, kecamatan and level, search by name or NRP,
removal with confirmation and undo, stale open proposals marked, links to villages and officers."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.models import Assignment, Duty, RiskLevel, VillageStanding
from operations.services.assignments import assignment_create
from operations.services.proposals import proposal_apply, proposal_create
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user, own_villages=3)


def _post(world, officer, village, **fields):
    return assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=village,
        by=world.kabag,
        **fields,
    )


def _board(client, world, user=None, **params):
    client.force_login(user or world.kabag)
    return client.get(reverse("deployment-board", args=[world.operation.pk]), params)


def _village_ids(response) -> list[int]:
    return [team.standing.village_election_id for team in response.context["board"].teams]


def test_surplus_is_counted_and_shown_like_shortfall(client, world):
    village = world.own[0]
    need = VillageStanding.objects.get(operation=world.operation, village_election=village).required_personnel
    for officer in officers(world.polres, need + 2):
        _post(world, officer, village)

    response = _board(client, world)

    standing = VillageStanding.objects.get(operation=world.operation, village_election=village)
    assert (standing.shortfall, standing.surplus) == (0, 2)
    board = response.context["board"]
    assert board.totals.surplus == 2
    assert board.totals.assigned == need + 2
    html = response.content.decode()
    row = re.search(rf'id="desa-{village.pk}".*?</li>', html, re.S).group(0)
    assert 'class="chip surplus"' in row and "+2" in row


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda w: {"polsek": w.polsek.pk}, lambda w: {v.pk for v in w.own}),
        (lambda w: {"polsek": w.other_polsek.pk}, lambda w: {w.foreign.pk}),
        (lambda w: {"kecamatan": w.foreign.desa.kecamatan_id}, lambda w: {w.foreign.pk}),
        (lambda w: {"level": RiskLevel.SANGAT_RAWAN}, lambda w: {w.own[2].pk}),
    ],
    ids=["polsek", "other-polsek", "kecamatan", "level"],
)
def test_board_filters_by_polsek_kecamatan_and_level(client, world, params, expected):
    VillageStanding.objects.filter(village_election=world.own[2]).update(level=RiskLevel.SANGAT_RAWAN)

    response = _board(client, world, **params(world))

    assert response.status_code == 200
    assert set(_village_ids(response)) == expected(world)


def test_search_by_nrp_opens_his_village_and_names_it(client, world):
    wanted = officers(world.polres, 1, name="Agus Wibowo")[0]
    _post(world, officers(world.polres, 1)[0], world.own[0])
    _post(world, wanted, world.own[1])

    response = _board(client, world, q=wanted.nrp)

    board = response.context["board"]
    assert _village_ids(response) == [world.own[1].pk]
    assert board.teams[0].open
    assert [(f.officer, f.assignment.village_election) for f in board.found] == [(wanted, world.own[1])]
    html = response.content.decode()
    assert 'aria-expanded="true"' in html
    assert f'href="#desa-{world.own[1].pk}"' in html


def test_search_by_name_lists_an_unposted_officer_as_free(client, world):
    wanted = officers(world.polres, 1, name="Slamet Riyadi")[0]

    response = _board(client, world, q="slamet")

    board = response.context["board"]
    assert [(f.officer, f.assignment) for f in board.found] == [(wanted, None)]
    assert board.teams == []
    assert "belum ditugaskan" in response.content.decode()


def test_collapsed_board_keeps_teams_closed_and_links_villages_and_officers(client, world):
    (officer,) = officers(world.polres, 1)
    _post(world, officer, world.own[0])

    response = _board(client, world)

    html = response.content.decode()
    assert not any(team.open for team in response.context["board"].teams)
    assert 'aria-expanded="false"' in html
    for village in [*world.own, world.foreign]:
        assert reverse("village-detail", args=[village.pk]) in html
    # A closed team is fetched when opened: the collapsed page carries its address, not its members.
    team_url = reverse("deployment-team", args=[world.operation.pk, world.own[0].pk])
    assert f'data-team-url="{team_url}' in html
    assert reverse("personnel-page", args=[officer.pk]) not in html
    team = client.get(team_url).content.decode()
    assert reverse("personnel-page", args=[officer.pk]) in team
    assert reverse("deployment-remove", args=[officer.assignments.get().pk]) in team
    assert "<html" not in team


def test_remove_asks_for_confirmation_then_offers_undo(client, world):
    (officer,) = officers(world.polres, 1, name="Joko Susilo")
    assignment = _post(world, officer, world.own[0])
    client.force_login(world.kabag)
    url = reverse("deployment-remove", args=[assignment.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Joko Susilo" in confirm.content.decode()
    assert world.own[0].desa.name in confirm.content.decode()
    assert Assignment.objects.filter(pk=assignment.pk).exists()

    removed = client.post(url)
    assert not Assignment.objects.exists()
    assert removed["Location"].endswith(f"#desa-{world.own[0].pk}")
    board = client.get(removed["Location"]).content.decode()
    removal = Assignment.history.get(history_type="-")
    undo_url = reverse("deployment-undo", args=[removal.history_id])
    assert f'action="{undo_url}"' in board

    client.post(undo_url)
    assert list(Assignment.objects.values_list("officer", "village_election")) == [
        (officer.pk, world.own[0].pk)
    ]


def test_undo_after_someone_else_took_the_officer_is_a_clear_message(client, world):
    (officer,) = officers(world.polres, 1)
    assignment = _post(world, officer, world.own[0])
    client.force_login(world.kabag)
    client.post(reverse("deployment-remove", args=[assignment.pk]))
    removal = Assignment.history.get(history_type="-")
    _post(world, officer, world.own[1])

    response = client.post(reverse("deployment-undo", args=[removal.history_id]), follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "sudah ditugaskan" in html
    assert list(Assignment.objects.values_list("village_election", flat=True)) == [world.own[1].pk]


def test_stale_open_proposal_is_marked_stale(client, world):
    officers(world.polres, 4)
    first = proposal_create(operation=world.operation, by=world.kabag)
    second = proposal_create(operation=world.operation, by=world.kabag)
    proposal_apply(proposal=first, by=world.kabag)
    fresh = proposal_create(operation=world.operation, by=world.kabag)

    response = _board(client, world)

    marks = {p.proposal.pk: p.stale for p in response.context["open_proposals"]}
    assert marks == {second.pk: True, fresh.pk: False}
    assert "usang" in response.content.decode()


def test_personnel_page_shows_his_posting_and_its_history(client, world):
    (officer,) = officers(world.polres, 1, name="Bambang Sutrisno")
    _post(world, officer, world.own[0])
    client.force_login(world.pimpinan)

    response = client.get(reverse("personnel-page", args=[officer.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Bambang Sutrisno" in html and officer.nrp in html
    assert reverse("village-detail", args=[world.own[0].pk]) in html
    assert response.context["history"][0].history_type == "+"


@pytest.mark.parametrize("villages", [2, 20])
def test_filtered_and_searched_board_query_count_stays_flat(client, make_user, villages):
    world = build_world(make_user, own_villages=villages)
    for village in world.own:
        for officer in officers(world.polres, 2):
            _post(world, officer, village)
    proposal_create(operation=world.operation, by=world.kabag)
    client.force_login(world.kabag)
    url = reverse("deployment-board", args=[world.operation.pk])
    params = {"q": "Personel", "polsek": world.polsek.pk, "level": RiskLevel.RAWAN}
    client.get(url, params)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)

    assert response.status_code == 200
    # Session, user, groups, operation; filter choices (Polsek, kecamatan) and their checks; the
    # standings, postings and the search; the open proposals and their basis; the map (2).
    assert len(queries) <= 17, [q["sql"][:90] for q in queries]


def test_stale_proposal_page_warns_before_apply_and_links_villages_and_officers(client, world):
    officers(world.polres, 4)
    first = proposal_create(operation=world.operation, by=world.kabag)
    second = proposal_create(operation=world.operation, by=world.kabag)
    client.force_login(world.kabag)

    fresh_page = client.get(reverse("deployment-proposal", args=[second.pk]))
    proposal_apply(proposal=first, by=world.kabag)
    stale_page = client.get(reverse("deployment-proposal", args=[second.pk]))

    assert not fresh_page.context["stale"]
    assert stale_page.context["stale"]
    html = fresh_page.content.decode()
    item = second.items.first()
    assert reverse("village-detail", args=[item.village_election_id]) in html
    assert reverse("personnel-page", args=[item.officer_id]) in html


def test_add_page_links_the_village_and_the_officers_offered(client, world):
    (free,) = officers(world.polres, 1)
    client.force_login(world.kabag)

    html = client.get(reverse("deployment-add", args=[world.operation.pk, world.own[0].pk])).content.decode()

    assert reverse("village-detail", args=[world.own[0].pk]) in html
    assert reverse("personnel-page", args=[free.pk]) in html


def test_dashboard_flags_surplus_beside_shortfall(client, world):
    village = world.own[0]
    need = VillageStanding.objects.get(operation=world.operation, village_election=village).required_personnel
    for officer in officers(world.polres, need + 2):
        _post(world, officer, village)
    client.force_login(world.pimpinan)

    response = client.get(reverse("dashboard", args=[world.operation.pk]))

    personnel = response.context["dashboard"].personnel
    assert (personnel.surplus, personnel.villages_over) == (2, 1)
    assert 'id="personnel-surplus"' in response.content.decode()


def test_removal_from_the_reserve_returns_to_the_open_reserve_list(client, world):
    (officer,) = officers(world.polres, 1)
    reserve = assignment_create(operation=world.operation, officer=officer, duty=Duty.RESERVE, by=world.kabag)
    client.force_login(world.kabag)

    removed = client.post(reverse("deployment-remove", args=[reserve.pk]))
    board = client.get(removed["Location"])

    assert removed["Location"].endswith("?open=elsewhere#elsewhere")
    assert board.context["elsewhere_open"]
