"""A shared phone: a write from the offline queue acts only for the user who queued it.

The queue names that user in ``X-Pilkades-User``; pilkades.middleware.QueueUserMiddleware refuses
the write (409, in Indonesian) when the session is someone else's, before any view runs, so the
item stays waiting for its owner. Items queued before the header existed still go through. The
queue learns who is logged in from ``/hari-h/sesi/``, never from a page kept on the phone.
"""

import pytest
from django.urls import reverse

from election_day.models import Incident
from operations.roles import POLSEK
from tests.election_day.world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(make_user):
    return build(make_user)


def _incident(w) -> dict:
    return {
        "operation": w.operation.pk,
        "village_election": w.own[0].pk,
        "category": w.category.code,
        "severity": 2,
        "description": "Massa berkumpul di depan TPS 2",
    }


def _post(client, w, **headers):
    headers = {"Accept": "application/json", **headers}
    return client.post(reverse("incident-list"), _incident(w), headers=headers)


def test_queued_write_naming_another_user_is_refused_and_stores_nothing(client, w):
    client.force_login(w.member_user)
    response = _post(client, w, **{"X-Pilkades-User": str(w.leader_user.pk)})
    assert response.status_code == 409
    assert "pengguna lain" in response.json()["detail"]
    assert "pemiliknya masuk lagi" in response.json()["detail"]
    # The queue tells this refusal from a triage conflict by the live user named in the answer.
    assert response["X-Pilkades-User"] == str(w.member_user.pk)
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(
    ("stated", "expected"),
    [
        ("own", 201),  # the queuing user is the session's: the write goes through
        (None, 201),  # an item queued by an older release, without the header
        ("", 201),  # an empty header says nothing
    ],
)
def test_queued_write_of_the_sessions_own_user_goes_through(client, w, stated, expected):
    client.force_login(w.leader_user)
    value = str(w.leader_user.pk) if stated == "own" else stated
    headers = {} if value is None else {"X-Pilkades-User": value}
    response = _post(client, w, **headers)
    assert response.status_code == expected, response.content
    assert Incident.objects.get().reported_by == w.leader_user


def test_queued_write_without_a_session_is_refused_as_unauthenticated_not_as_another_user(client, w):
    response = _post(client, w, **{"X-Pilkades-User": str(w.leader_user.pk)})
    assert response.status_code in (401, 403)
    assert response.status_code != 409
    assert "X-Pilkades-User" not in response
    assert Incident.objects.count() == 0


def test_reads_naming_another_user_are_not_refused(client, w):
    client.force_login(w.member_user)
    response = client.get(reverse("incident-list"), headers={"X-Pilkades-User": str(w.leader_user.pk)})
    assert response.status_code == 200


def test_session_check_names_the_logged_in_user_and_is_never_cached(client, make_user):
    url = reverse("field-session")
    response = client.get(url)
    assert response.json() == {"user": None}
    assert "no-cache" in response["Cache-Control"]

    user = make_user(POLSEK)
    client.force_login(user)
    response = client.get(url)
    assert response.json() == {"user": str(user.pk)}
    assert response["X-Pilkades-User"] == str(user.pk)
    assert "no-store" in response["Cache-Control"]
    assert client.post(url).status_code == 405


def test_every_answer_to_a_logged_in_browser_names_its_user_for_the_workers_copies(client, w):
    assert "X-Pilkades-User" not in client.get(reverse("login"))
    client.force_login(w.leader_user)
    assert client.get(reverse("field-home"))["X-Pilkades-User"] == str(w.leader_user.pk)
