"""Proposal distances from real coordinates: unknown ones said out loud, the sea leg shown apart."""

from decimal import Decimal

import pytest
from django.urls import reverse

from operations.models import VillageStanding
from operations.services.proposals import proposal_create
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def village_row(proposal, village):
    return next(v for v in proposal.summary["villages"] if v["village_election_id"] == village.pk)


def test_distances_are_great_circle_km_from_the_unit_hq(world):
    officers(world.polsek, 4)
    proposal = proposal_create(operation=world.operation, by=world.kabag, exclude_bko=True)
    items = list(proposal.items.all())
    assert items and all(item.distance_km is not None for item in items)
    # Own villages sit 0.00-0.01° south of the Polsek HQ: at most ~1.1 km, never a 10 km placeholder.
    assert all(item.distance_km <= Decimal("1.12") for item in items if item.village_election in world.own)
    assert proposal.summary["missing_coordinates"] == {"villages": [], "units": [], "sea_port": False}


def test_missing_coordinates_are_named_per_village_and_unit_and_distance_left_unknown(world, client):
    desa = world.own[0].desa
    desa.latitude = desa.longitude = None
    desa.save()
    world.polsek.hq_latitude = world.polsek.hq_longitude = None
    world.polsek.save()
    officers(world.polsek, 4)
    officers(world.brimob, 2)  # BKO unit without HQ coordinates

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    missing = proposal.summary["missing_coordinates"]
    assert missing["villages"] == [desa.name]
    assert missing["units"] == sorted([world.polsek.name, world.brimob.name])
    assert village_row(proposal, world.own[0])["has_centroid"] is False
    polsek_items = proposal.items.filter(officer__unit=world.polsek)
    assert polsek_items.exists()
    assert all(item.distance_km is None for item in polsek_items)
    assert proposal.summary["unknown_distances"] >= polsek_items.count()

    client.force_login(world.kabag)
    page = client.get(reverse("deployment-proposal", args=[proposal.pk])).content.decode()
    assert "Jarak belum lengkap" in page
    assert world.brimob.name in page and desa.name in page
    assert "jarak belum diketahui" in page

    api = client.get(f"/api/v1/proposals/{proposal.pk}/")
    assert api.status_code == 200
    assert api.json()["summary"]["missing_coordinates"]["villages"] == [desa.name]
    polsek_officers = set(polsek_items.values_list("officer_id", flat=True))
    assert {i["distance_km"] for i in api.json()["items"] if i["officer"] in polsek_officers} == {None}


def _make_sea_village(world):
    desa = world.own[1].desa
    desa.latitude, desa.longitude = Decimal("-5.811651"), Decimal("106.277671")  # Pulau Tunda
    desa.sea_access_only = True
    desa.save()
    return world.own[1]


def test_sea_village_shows_the_sea_leg_from_the_operations_port(world):
    wargasara = _make_sea_village(world)
    world.operation.sea_port_name = "Pelabuhan Karangantu"
    world.operation.sea_port_latitude, world.operation.sea_port_longitude = (
        Decimal("-6.0348"),
        Decimal("106.1618"),
    )
    world.operation.save()
    standings = VillageStanding.objects.filter(operation=world.operation)
    standings.exclude(village_election=wargasara).update(required_personnel=0, shortfall=0)
    standings.filter(village_election=wargasara).update(required_personnel=2, shortfall=2)
    officers(world.polres, 2)

    proposal = proposal_create(operation=world.operation, by=world.kabag, exclude_bko=True)

    row = village_row(proposal, wargasara)
    assert row["sea_port"] == "Pelabuhan Karangantu"
    assert row["sea_leg_km"] == pytest.approx(27.9, abs=0.3)
    items = proposal.items.filter(village_election=wargasara, officer__unit=world.polres)
    assert items.count() == 2
    # Polres HQ (-6.12, 106.15) → Karangantu by land (~9.8 km) + the sea leg.
    assert all(float(item.distance_km) == pytest.approx(9.8 + 27.9, abs=0.6) for item in items)


def test_sea_village_without_a_port_is_a_warning_not_a_guess(world):
    wargasara = _make_sea_village(world)
    officers(world.polres, 2)
    proposal = proposal_create(operation=world.operation, by=world.kabag, exclude_bko=True)
    assert proposal.summary["missing_coordinates"]["sea_port"] is True
    assert village_row(proposal, wargasara)["sea_leg_km"] is None
    assert all(i.distance_km is None for i in proposal.items.filter(village_election=wargasara))
