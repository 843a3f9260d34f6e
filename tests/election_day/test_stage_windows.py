"""Stage windows through the API (and the admin) by the same services: Kabag Ops writes, everyone
who uses the API reads (a phone's tool learns when check-ins are taken), a closed operation's stay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from election_day.models import BoardVersion, StageWindow
from election_day.services.lapsit import operation_close
from tests.election_day.world import build

pytestmark = pytest.mark.django_db

URL = "/api/v1/hari-h/stage-windows/"


@pytest.fixture
def w(make_user):
    return build(make_user)


def _version(w) -> int:
    row = BoardVersion.objects.filter(operation=w.operation).first()
    return row.version if row else 0


def test_kabag_ops_sets_the_counting_window_and_the_board_follows(api_client, w):
    api_client.force_authenticate(w.kabag)
    before = _version(w)
    starts = timezone.localtime() + timedelta(hours=6)
    answer = api_client.post(
        URL,
        {"operation": w.operation.pk, "stage": "counting", "starts_at": starts.isoformat()},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["stage_label"] and answer.json()["ends_at"] is None
    assert _version(w) > before
    window = StageWindow.objects.get(operation=w.operation, stage="counting")
    changed = api_client.patch(
        f"{URL}{window.pk}/", {"ends_at": (starts + timedelta(hours=4)).isoformat()}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert api_client.delete(f"{URL}{window.pk}/").status_code == 204
    assert not StageWindow.objects.filter(stage="counting").exists()


def test_field_officers_read_the_windows_of_their_operation(api_client, w):
    api_client.force_authenticate(w.member_user)
    listed = api_client.get(URL, {"operation": w.operation.pk})
    assert listed.status_code == 200
    assert [row["stage"] for row in listed.json()["results"]] == ["voting"]
    refused = api_client.post(
        URL, {"operation": w.operation.pk, "stage": "counting", "starts_at": timezone.now().isoformat()}
    )
    assert refused.status_code == 403


def test_bad_windows_are_field_errors_and_a_closed_operations_windows_stay(api_client, w):
    api_client.force_authenticate(w.kabag)
    now = timezone.now()
    backwards = api_client.post(
        URL,
        {
            "operation": w.operation.pk,
            "stage": "counting",
            "starts_at": now.isoformat(),
            "ends_at": (now - timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert backwards.status_code == 400 and "selesai" in str(backwards.json()["errors"]).lower()
    twice = api_client.post(
        URL, {"operation": w.operation.pk, "stage": "voting", "starts_at": now.isoformat()}, format="json"
    )
    assert twice.status_code == 400, twice.content
    operation_close(operation=w.operation, by=w.kabag)
    voting = StageWindow.objects.get(stage="voting")
    closed = api_client.patch(f"{URL}{voting.pk}/", {"ends_at": now.isoformat()}, format="json")
    assert closed.status_code == 409
    assert StageWindow.objects.get(stage="voting").ends_at is None
