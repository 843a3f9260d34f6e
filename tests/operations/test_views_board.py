"""Deployment board pages: access per role, posting through forms, proposals, team text, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.models import AllocationProposal, Assignment, Duty
from operations.ranks import Pangkat
from operations.services.assignments import assignment_create
from operations.services.proposals import proposal_create
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def read_urls(world, proposal):
    op, village = world.operation.pk, world.own[0].pk
    return [
        reverse("deployment-board", args=[op]),
        reverse("deployment-team-text", args=[op, village]),
        reverse("deployment-proposal", args=[proposal.pk]),
        reverse("deployment-order", args=[op, "pdf"]),
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("polsek_user", 403), ("pimpinan", 200), ("kabag", 200)],
)
def test_read_pages_per_role(client, world, role, expected):
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    if role != "anonymous":
        client.force_login(getattr(world, role))

    for url in read_urls(world, proposal):
        response = client.get(url)
        assert response.status_code == expected, url
        if role == "anonymous":
            assert response["Location"].startswith(reverse("login"))


def test_nav_entry_opens_the_latest_operation_board(client, world):
    client.force_login(world.pimpinan)

    response = client.get(reverse("deployment-latest"))

    assert response["Location"] == reverse("deployment-board", args=[world.operation.pk])


@pytest.mark.parametrize("role", ["polsek_user", "pimpinan"])
def test_only_kabag_ops_writes(client, world, role):
    (officer,) = officers(world.polres, 1)
    assignment = assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        by=world.kabag,
    )
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    client.force_login(getattr(world, role))
    op, village = world.operation.pk, world.own[1].pk

    posts = [
        (reverse("deployment-add", args=[op, village]), {"officer": officer.pk, "duty": Duty.VILLAGE_GUARD}),
        (reverse("deployment-remove", args=[assignment.pk]), {}),
        (reverse("deployment-propose", args=[op]), {}),
        (reverse("deployment-proposal-apply", args=[proposal.pk]), {}),
        (reverse("deployment-proposal-discard", args=[proposal.pk]), {}),
        (reverse("deployment-team-leader", args=[op, world.own[0].pk]), {"officer": officer.pk}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert Assignment.objects.count() == 1
    proposal.refresh_from_db()
    assert proposal.status == AllocationProposal.Status.OPEN


def test_kabag_posts_an_officer_from_the_search(client, world):
    wanted = officers(world.polres, 1, name="Budi Santoso")[0]
    officers(world.polres, 1, name="Agus Salim")
    client.force_login(world.kabag)
    url = reverse("deployment-add", args=[world.operation.pk, world.own[0].pk])

    found = client.get(url, {"q": wanted.nrp})
    response = client.post(url, {"officer": wanted.pk, "duty": Duty.VILLAGE_GUARD, "note": "Pos TPS 1"})

    assert list(found.context["officers"]) == [wanted]
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.officer, assignment.village_election, assignment.note) == (
        wanted,
        world.own[0],
        "Pos TPS 1",
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"rank": Pangkat.AKP}, ["senior"]),
        ({"unit": "polsek"}, ["polsek"]),
        ({"q": "Wira"}, ["senior"]),
    ],
)
def test_officer_search_filters(client, world, filters, expected):
    people = {
        "senior": officers(world.polres, 1, rank=Pangkat.AKP, name="Wira Utama")[0],
        "polsek": officers(world.polsek, 1, name="Dedi")[0],
    }
    if filters.get("unit") == "polsek":
        filters = {"unit": world.polsek.pk}
    client.force_login(world.kabag)

    response = client.get(reverse("deployment-add", args=[world.operation.pk, world.own[0].pk]), filters)

    assert list(response.context["officers"]) == [people[key] for key in expected]


def test_rule_violation_rerenders_form_with_field_error(client, world):
    (resident,) = officers(world.polres, 1, home_desa=world.own[0].desa)
    client.force_login(world.kabag)

    response = client.post(
        reverse("deployment-add", args=[world.operation.pk, world.own[0].pk]),
        {"officer": resident.pk, "duty": Duty.VILLAGE_GUARD},
    )

    assert response.status_code == 400
    assert "Netralitas" in response.content.decode()
    assert not Assignment.objects.exists()


def test_unknown_officer_is_a_field_error_not_a_crash(client, world):
    client.force_login(world.kabag)

    response = client.post(
        reverse("deployment-add", args=[world.operation.pk, world.own[0].pk]),
        {"officer": 999999, "duty": "nonsense"},
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"officer", "duty"}


def test_remove_and_team_leader_through_the_board(client, world):
    junior = officers(world.polres, 1, rank=Pangkat.BRIPDA)[0]
    senior = officers(world.polres, 1, rank=Pangkat.IPTU)[0]
    kwargs = {"operation": world.operation, "duty": Duty.VILLAGE_GUARD, "village_election": world.own[0]}
    first = assignment_create(officer=junior, by=world.kabag, **kwargs)
    assignment_create(officer=senior, by=world.kabag, **kwargs)
    client.force_login(world.kabag)

    client.post(
        reverse("deployment-team-leader", args=[world.operation.pk, world.own[0].pk]), {"officer": junior.pk}
    )
    text = client.get(
        reverse("deployment-team-text", args=[world.operation.pk, world.own[0].pk])
    ).content.decode()
    client.post(reverse("deployment-remove", args=[first.pk]))

    assert f"Ketua tim: Bripda {junior.name}" in text
    assert senior.name in text
    assert list(Assignment.objects.values_list("officer", flat=True)) == [senior.pk]


def test_propose_then_apply_from_the_pages(client, world):
    officers(world.polres, 4)
    client.force_login(world.kabag)

    response = client.post(reverse("deployment-propose", args=[world.operation.pk]))
    proposal = AllocationProposal.objects.get()
    page = client.get(response["Location"])
    applied = client.post(reverse("deployment-proposal-apply", args=[proposal.pk]))

    assert response["Location"] == reverse("deployment-proposal", args=[proposal.pk])
    assert page.status_code == 200
    assert applied.status_code == 302
    assert Assignment.objects.count() == 4


def test_stale_proposal_shows_the_conflict(client, world):
    officers(world.polres, 4)
    first = proposal_create(operation=world.operation, by=world.kabag)
    second = proposal_create(operation=world.operation, by=world.kabag)
    client.force_login(world.kabag)
    client.post(reverse("deployment-proposal-apply", args=[first.pk]))

    response = client.post(reverse("deployment-proposal-apply", args=[second.pk]), follow=True)

    assert "Usulan usang: penugasan tahap" in response.content.decode()
    assert Assignment.objects.count() == 4


@pytest.mark.parametrize("villages", [2, 20])
def test_board_query_count_does_not_grow_with_villages(client, make_user, villages):
    world = build_world(make_user, own_villages=villages)
    for village in world.own:
        for officer in officers(world.polres, 2):
            assignment_create(
                operation=world.operation,
                officer=officer,
                duty=Duty.VILLAGE_GUARD,
                village_election=village,
                by=world.kabag,
            )
    client.force_login(world.kabag)
    url = reverse("deployment-board", args=[world.operation.pk])
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["board"].teams) == villages + 1
    # 9 for the board, 2 for its map (villages, kecamatan outlines), 2 for the filter's Polsek and
    # kecamatan choices.
    assert len(queries) <= 13


def test_apply_after_an_officer_left_shows_which_officer_blocks_it(client, world):
    leaver, _stays = officers(world.polres, 2)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    leaver.is_active = False
    leaver.save()
    client.force_login(world.kabag)

    response = client.post(reverse("deployment-proposal-apply", args=[proposal.pk]), follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("deployment-proposal", args=[proposal.pk])
    assert leaver.nrp in page
    assert "tidak aktif" in page
    assert not Assignment.objects.exists()
