"""Issue 13 (6): the board, the API and the proposal page show jabatan, command reasons, escorts
with their candidate, and why each proposed officer is where he is."""

import pytest
from django.urls import reverse

from operations.models import Duty, Position, RiskLevel, VillageStanding
from operations.ranks import Pangkat
from operations.services.assignments import assignment_create
from operations.services.proposals import proposal_create
from tests.factories import CandidateFactory, OfficerFactory
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def test_board_shows_jabatan_and_flags_a_commander_posted_with_a_reason(client, world):
    kapolsek = OfficerFactory(
        unit=world.polsek,
        rank=Pangkat.AKP,
        name="Budi Kapolsek",
        jabatan=Position.objects.get(name="Kapolsek"),
    )
    assignment_create(
        operation=world.operation,
        officer=kapolsek,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        command_reason="Desa paling rawan, Kapolsek memimpin langsung",
        by=world.kabag,
    )
    client.force_login(world.kabag)

    # The village's team opened on the board (a closed one is fetched when its ▸ is pressed).
    page = client.get(
        reverse("deployment-board", args=[world.operation.pk]), {"open": world.own[0].pk}
    ).content.decode()

    assert "Kapolsek" in page.split("Budi Kapolsek", 1)[1][:400]
    assert "command-flag" in page
    assert "Desa paling rawan, Kapolsek memimpin langsung" in page


def test_board_shows_escorts_under_the_village_with_candidate_name_and_number(client, world):
    candidate = CandidateFactory(
        village_election=world.own[0], ballot_number=2, full_name="Haji Sarmin", needs_close_escort=True
    )
    for officer in officers(world.polsek, 2):
        assignment_create(
            operation=world.operation,
            officer=officer,
            duty=Duty.CLOSE_ESCORT,
            village_election=world.own[0],
            candidate=candidate,
            by=world.kabag,
        )
    client.force_login(world.kabag)

    # The village's team opened on the board (a closed one is fetched when its ▸ is pressed).
    page = client.get(
        reverse("deployment-board", args=[world.operation.pk]), {"open": world.own[0].pk}
    ).content.decode()

    assert "Haji Sarmin (No. 2)" in page
    assert page.count("escort-pair") == 1


def _needy(world):
    VillageStanding.objects.filter(operation=world.operation, village_election=world.own[0]).update(
        level=RiskLevel.SANGAT_RAWAN, required_personnel=2, shortfall=2
    )
    bhabin = OfficerFactory(
        unit=world.polsek,
        rank=Pangkat.BRIPKA,
        jabatan=Position.objects.get(name="Bhabinkamtibmas"),
        desa_binaan=world.own[0].desa,
    )
    (other,) = officers(world.polsek, 1)
    return bhabin, other


def test_api_proposal_items_carry_their_reason(api_client, world):
    bhabin, _other = _needy(world)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    api_client.force_authenticate(world.kabag)

    data = api_client.get(f"/api/v1/proposals/{proposal.pk}/").json()

    items = {item["officer"]: item for item in data["items"]}
    reason = items[bhabin.pk]["reason"]
    assert reason["desa_binaan"] is True
    assert reason["level"] == RiskLevel.SANGAT_RAWAN
    assert "rank" in reason and "km" in reason
    assert isinstance(items[bhabin.pk]["reason_text"], str)
    assert "desa binaan" in items[bhabin.pk]["reason_text"]


def test_proposal_page_says_why_this_officer_here(client, world):
    bhabin, _other = _needy(world)
    proposal = proposal_create(operation=world.operation, by=world.kabag)
    client.force_login(world.kabag)

    page = client.get(reverse("deployment-proposal", args=[proposal.pk]), HTTP_ACCEPT_LANGUAGE="id")

    text = page.content.decode()
    assert "Alasan" in text
    assert "desa binaan" in text
    assert "Sangat Rawan, peringkat 1" in text
