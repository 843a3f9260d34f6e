"""The village's known facts bind every way a report is written, not only the phone form (issue 18).

The DPT, the registered candidates and the committee are recorded at the desk. An answer that
contradicts one of them needs a note (the answer's ``evidence``), whether the report comes from the
form, from the API (create, create with ``submit``, a keyed save, PATCH, ``submit/``) or from a
service call: the refusal is the form's message, keyed by the indicator, and nothing is stored.
"""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from operations.models import RiskReport
from operations.services.reports import report_create, report_update
from tests.factories import CandidateFactory
from tests.operations.risk_setup import answers, api_answers, build_world, form_answers, partial_answers

pytestmark = pytest.mark.django_db

Status = RiskReport.Status
REPORTS = "/api/v1/risk-reports/"
NOTE = "Calon keempat mendaftar kemarin; berkas belum dicatat di desk."


@pytest.fixture
def world(make_user):
    world = build_world(make_user)
    village = world.own[0]
    village.registered_voters = 4730
    village.committee_formed_on = datetime.date(2019, 8, 12)
    village.save()
    for _ in range(3):
        CandidateFactory(village_election=village)
    return world


@pytest.fixture
def client_of(api_client, world):
    api_client.force_authenticate(world.polsek)
    return api_client


def _as_recorded(**given: dict) -> list[dict]:
    """Every answer the API needs, the facts as the village records them unless ``given``."""
    recorded = {
        "candidate_count": {"indicator": "candidate_count", "number": "3"},
        "many_voters": {"indicator": "many_voters", "number": "4730"},
        "committee_not_formed": {"indicator": "committee_not_formed", "flag": False},
    }
    recorded.update({code: {"indicator": code, **answer} for code, answer in given.items()})
    return api_answers(*recorded.values())


def _payload(world, submit=True, **given):
    return {"village_election": world.own[0].pk, "answers": _as_recorded(**given), "submit": submit}


CONTRADICTIONS = [
    ("candidate_count", {"number": "4"}, "3 calon terdaftar"),
    ("many_voters", {"number": "5000"}, "4.730 pemilih"),
    ("many_voters", {"unknown": True}, "4.730 pemilih"),
    ("committee_not_formed", {"flag": True}, "Panitia dibentuk 12 Agustus 2019"),
]


@pytest.mark.parametrize(("code", "answer", "fact"), CONTRADICTIONS)
def test_api_create_with_submit_contradicting_a_fact_without_a_note_is_400_and_stores_nothing(
    client_of, world, code, answer, fact
):
    response = client_of.post(REPORTS, _payload(world, **{code: answer}), format="json")

    assert response.status_code == 400, response.json()
    messages = response.json()["errors"][code]
    assert any(fact in m and "alasan koreksi" in m and "isi sesuai data" in m for m in messages), messages
    assert not RiskReport.objects.exists()


def test_the_api_refuses_with_the_very_message_the_form_shows(client, client_of, world):
    api = client_of.post(REPORTS, _payload(world, candidate_count={"number": "4"}), format="json")
    client.force_login(world.polsek)
    data = {
        "village_election": world.own[0].pk,
        "idempotency_key": str(uuid.uuid4()),
        "action": "submit",
        **form_answers(value_candidate_count="4"),
    }
    page = client.post(reverse("report-create"), data)

    assert api.json()["errors"]["candidate_count"] == page.context["form"].errors["value_candidate_count"]


@pytest.mark.parametrize(("code", "answer", "fact"), CONTRADICTIONS)
def test_api_create_with_submit_and_the_note_passes(client_of, world, code, answer, fact):
    response = client_of.post(REPORTS, _payload(world, **{code: {**answer, "evidence": NOTE}}), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == Status.SUBMITTED
    assert next(a for a in body["answers"] if a["indicator"] == code)["evidence"] == NOTE


def test_api_keyed_create_with_submit_contradicting_a_fact_is_400(client_of, world):
    payload = {**_payload(world, candidate_count={"number": "4"}), "idempotency_key": str(uuid.uuid4())}
    response = client_of.post(REPORTS, payload, format="json")

    assert response.status_code == 400, response.json()
    assert "candidate_count" in response.json()["errors"]
    assert not RiskReport.objects.exists()


def test_api_draft_contradicting_a_fact_is_400_as_the_form_draft_is(client_of, world):
    response = client_of.post(
        REPORTS, _payload(world, submit=False, many_voters={"number": "5000"}), format="json"
    )

    assert response.status_code == 400, response.json()
    assert "many_voters" in response.json()["errors"]
    assert not RiskReport.objects.exists()


def test_api_patch_contradicting_a_fact_is_400_and_keeps_the_stored_answers(client_of, world):
    created = client_of.post(REPORTS, _payload(world, submit=False), format="json")
    assert created.status_code == 201, created.json()
    url = f"{REPORTS}{created.json()['id']}/"

    response = client_of.patch(url, {"answers": _as_recorded(candidate_count={"number": "7"})}, format="json")

    assert response.status_code == 400, response.json()
    assert "candidate_count" in response.json()["errors"]
    report = RiskReport.objects.get()
    assert report.answers.get(indicator__code="candidate_count").number == 3


def test_api_submit_action_checks_the_stored_answers_against_the_record_of_now(client_of, world):
    """A draft saved as recorded, then a fourth candidate registered at the desk: submitting the
    draft unchanged would contradict the record, so it is refused until corrected or explained."""
    created = client_of.post(REPORTS, _payload(world, submit=False), format="json")
    assert created.status_code == 201, created.json()
    CandidateFactory(village_election=world.own[0])

    response = client_of.post(f"{REPORTS}{created.json()['id']}/submit/")

    assert response.status_code == 400, response.json()
    assert any("4 calon terdaftar" in m for m in response.json()["errors"]["candidate_count"])
    assert RiskReport.objects.get().status == Status.DRAFT

    explained = _as_recorded(candidate_count={"number": "3", "evidence": NOTE})
    assert (
        client_of.patch(
            f"{REPORTS}{created.json()['id']}/", {"answers": explained}, format="json"
        ).status_code
        == 200
    )
    response = client_of.post(f"{REPORTS}{created.json()['id']}/submit/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.SUBMITTED


def test_a_keyed_retry_asking_to_submit_checks_the_record_too(client_of, world):
    payload = {**_payload(world, submit=False), "idempotency_key": str(uuid.uuid4())}
    assert client_of.post(REPORTS, payload, format="json").status_code == 201
    CandidateFactory(village_election=world.own[0])

    response = client_of.post(REPORTS, {**payload, "submit": True}, format="json")

    assert response.status_code == 400, response.json()
    assert "candidate_count" in response.json()["errors"]
    assert RiskReport.objects.get().status == Status.DRAFT


def test_the_service_refuses_update_with_submit_keyed_by_the_indicator(world):
    draft = report_create(village_election=world.own[0], author=world.polsek)
    contradicting = answers(candidate_count=5, many_voters=4730)

    with pytest.raises(ValidationError) as exc:
        report_update(report=draft, by=world.polsek, answers=contradicting, submit=True)

    assert set(exc.value.message_dict) == {"candidate_count"}
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not draft.answers.exists()


def test_answers_without_a_fact_indicator_need_no_record(world):
    """A partial draft that leaves the facts unanswered contradicts nothing."""
    report = report_create(
        village_election=world.own[0], author=world.polsek, answers=partial_answers(split_camps=True)
    )
    assert report.status == Status.DRAFT


FACT_CODES = {"candidate_count", "many_voters", "committee_not_formed"}


def _left_out(payload: dict) -> str:
    """Drops one answer that is not a fact from ``payload``; returns the indicator's label."""
    from operations.models import RiskIndicator

    dropped = next(a for a in payload["answers"] if a["indicator"] not in FACT_CODES)
    payload["answers"].remove(dropped)
    return RiskIndicator.objects.get(code=dropped["indicator"]).label


def _names_both(errors: dict, label: str) -> None:
    assert any("4 calon terdaftar" in m or "3 calon terdaftar" in m for m in errors["candidate_count"]), (
        errors
    )
    assert any(label in m and "belum diisi" in m for m in errors["answers"]), errors


def test_a_submission_both_incomplete_and_contradicting_is_told_both_at_once(client_of, world):
    """One answer to fix both: not the facts first, then, after a second submission, the rest."""
    payload = _payload(world, candidate_count={"number": "4"})
    label = _left_out(payload)

    response = client_of.post(REPORTS, payload, format="json")

    assert response.status_code == 400, response.json()
    _names_both(response.json()["errors"], label)
    assert not RiskReport.objects.exists()


def test_an_update_with_submit_both_incomplete_and_contradicting_is_told_both(world):
    from operations.models import RiskIndicator

    draft = report_create(village_election=world.own[0], author=world.polsek)
    given = answers(candidate_count=4)
    fact_ids = set(RiskIndicator.objects.filter(code__in=FACT_CODES).values_list("pk", flat=True))
    dropped = next(a for a in given if a.indicator_id not in fact_ids)
    given.remove(dropped)

    with pytest.raises(ValidationError) as exc:
        report_update(report=draft, by=world.polsek, answers=given, submit=True)

    _names_both(exc.value.message_dict, RiskIndicator.objects.get(pk=dropped.indicator_id).label)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not draft.answers.exists()


def test_submitting_a_stored_draft_both_incomplete_and_contradicting_is_told_both(client_of, world):
    payload = _payload(world, submit=False)
    label = _left_out(payload)
    created = client_of.post(REPORTS, payload, format="json")
    assert created.status_code == 201, created.json()
    CandidateFactory(village_election=world.own[0])  # the record moves on: 4 candidates now

    response = client_of.post(f"{REPORTS}{created.json()['id']}/submit/")

    assert response.status_code == 400, response.json()
    _names_both(response.json()["errors"], label)
    assert RiskReport.objects.get().status == Status.DRAFT
