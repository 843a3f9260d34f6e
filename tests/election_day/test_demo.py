"""The demo's election day: load_demo then load_demo_hari_h, twice, gives one stable Posko board."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from election_day.models import Incident, VillageProgress
from operations.demo import OPERATION_NAME
from operations.models import Assignment, Duty, Operation

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    models = [*apps.get_app_config("election_day").get_models(), Assignment]
    return {
        model._meta.label: model.objects.count()
        for model in models
        if not model.__name__.startswith("Historical")
    }


def test_demo_hari_h_is_idempotent_and_shows_on_the_board(client):
    call_command("load_demo", stdout=StringIO())
    out, again = StringIO(), StringIO()
    with translation.override("id"):
        call_command("load_demo_hari_h", stdout=out)
        first = _counts()
        call_command("load_demo", stdout=StringIO())
        call_command("load_demo_hari_h", stdout=again)
    assert "Kejadian: 2 baru." in out.getvalue()
    assert "Kejadian: 0 baru." in again.getvalue()
    assert _counts() == first

    operation = Operation.objects.get(name=OPERATION_NAME)
    assert Assignment.objects.filter(operation=operation, duty=Duty.RESERVE).count() >= 2
    mekarsari = Incident.objects.get(village_election__desa__name="Mekarsari")
    assert mekarsari.severity == 2 and mekarsari.level_raised_at is None  # not raised to Sangat Rawan
    assert Incident.objects.filter(category__code="logistik").count() == 1

    client.force_login(get_user_model().objects.get(username="kabagops"))
    board = client.get(f"/api/v1/operations/{operation.pk}/board/").json()
    planned, present = board["personnel"]["planned"], board["personnel"]["present"]
    assert 0 < present < planned
    assert sum(board["incidents_open"].values()) == 2
    assert {i["desa"] for i in board["incidents"]} == {"Mekarsari", "Renged"}
    assert (
        sum(row["count"] for row in board["villages_per_stage"])
        == VillageProgress.objects.filter(operation=operation).count()
        == 6
    )
    page = client.get(f"/operasi/{operation.pk}/posko/")
    assert page.status_code == 200
