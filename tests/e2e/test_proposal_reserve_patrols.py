"""Issue 13 (4) in a browser: the proposal page shows the patrols per kecamatan and the reserve,
at 360 px without sideways scrolling and at 1366 px (screenshots in test-artifacts/)."""

import pytest
from django.urls import reverse

from operations.models import PatternSet, RiskLevel, VillageStanding
from operations.services.proposals import proposal_create
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import PHONE, login, screenshot
from tests.operations.deployment_setup import build_world, officers

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}


def test_proposal_page_lists_patrols_and_reserve_on_a_phone_and_a_desk(open_page, make_user):
    world = build_world(make_user)
    PatternSet.objects.filter(pk=world.operation.pattern_set_id).update(patrol_per_kecamatan=2)
    VillageStanding.objects.filter(operation=world.operation).update(
        level=RiskLevel.RAWAN, required_personnel=2, shortfall=2
    )
    officers(world.polsek, 4)
    officers(world.polres, 8)
    proposal = proposal_create(operation=world.operation, by=world.kabag)

    for name, viewport in (("phone", PHONE), ("desk", WIDE)):
        page, console = open_page(viewport)
        login(page, world.kabag.username, TEST_PASSWORD)
        page.goto(reverse("deployment-proposal", args=[proposal.pk]))
        assert page.get_by_role("heading", name="Patroli kecamatan").is_visible()
        assert page.get_by_role("heading", name="Cadangan (2)").is_visible()
        if viewport is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, f"proposal-reserve-patrols-{name}")
        assert console.take() == []
