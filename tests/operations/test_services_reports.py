import uuid
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from operations.models import RiskIndicator, RiskReport, RiskReportTransition, VillageRisk, VillageStanding
from operations.services.reports import (
    AnswerData,
    report_create,
    report_return,
    report_submit,
    report_update,
    report_verify,
    risk_override,
    risk_override_clear,
)
from tests.operations.risk_setup import answers, build_world, indicator, partial_answers

pytestmark = pytest.mark.django_db

Status = RiskReport.Status


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _submitted(world, village=None, **values):
    report = report_create(
        village_election=village or world.own[0], author=world.polsek, answers=answers(**values)
    )
    return report_submit(report=report, by=world.polsek)


def test_polsek_creates_draft_with_answers_and_a_transition(world):
    report = report_create(
        village_election=world.own[0],
        author=world.polsek,
        narrative="Dua kubu berimbang.",
        answers=partial_answers(split_camps=True, travel_minutes=20),
    )
    assert report.status == Status.DRAFT
    assert report.answers.count() == 2
    assert list(report.transitions.values_list("from_status", "to_status", "by")) == [
        ("", Status.DRAFT, world.polsek.pk)
    ]


@pytest.mark.parametrize("who", ["other_polsek", "kabag", "pimpinan"])
def test_only_polsek_of_the_jurisdiction_may_create(world, who):
    with pytest.raises(PermissionDenied):
        report_create(village_election=world.own[0], author=getattr(world, who))
    assert not RiskReport.objects.exists()


def test_repeated_idempotency_key_returns_the_first_report(world):
    key = uuid.uuid4()
    first = report_create(village_election=world.own[0], author=world.polsek, idempotency_key=key)
    again = report_create(
        village_election=world.own[0], author=world.polsek, idempotency_key=key, narrative="ulang"
    )
    assert again.pk == first.pk
    assert RiskReport.objects.count() == 1


def test_idempotency_key_of_another_author_is_refused(world, make_user):
    from operations.roles import POLSEK

    colleague = make_user(POLSEK, unit=world.unit)
    key = uuid.uuid4()
    report_create(village_election=world.own[0], author=world.polsek, idempotency_key=key)
    with pytest.raises(ValidationError) as exc:
        report_create(village_election=world.own[0], author=colleague, idempotency_key=key)
    assert "idempotency_key" in exc.value.message_dict


@pytest.mark.parametrize(
    "bad",
    [
        lambda: AnswerData(indicator_id=indicator("split_camps").pk, number=D("3")),
        lambda: AnswerData(indicator_id=indicator("travel_minutes").pk, flag=True),
        lambda: AnswerData(indicator_id=indicator("travel_minutes").pk, number=D("-1")),
        lambda: AnswerData(indicator_id=987654),
    ],
)
def test_malformed_answers_are_field_errors(world, bad):
    with pytest.raises(ValidationError) as exc:
        report_create(village_election=world.own[0], author=world.polsek, answers=[bad()])
    assert "answers" in exc.value.message_dict


def test_inactive_indicator_cannot_be_answered(world):
    RiskIndicator.objects.filter(code="sea_crossing").update(is_active=False)
    with pytest.raises(ValidationError):
        report_create(village_election=world.own[0], author=world.polsek, answers=answers(sea_crossing=True))


def test_update_replaces_answers_and_keeps_status(world):
    report = report_create(
        village_election=world.own[0], author=world.polsek, answers=partial_answers(split_camps=True)
    )
    report_update(
        report=report, by=world.polsek, narrative="baru", answers=partial_answers(sea_crossing=True)
    )
    report.refresh_from_db()
    assert report.narrative == "baru"
    assert list(report.answers.values_list("indicator__code", flat=True)) == ["sea_crossing"]


def test_full_lifecycle_verify_freezes_score_and_makes_risk_current(world):
    report = _submitted(world, former_head_strong_rival=True, split_camps=True, travel_minutes=30)
    assert report.submitted_at is not None

    report_verify(report=report, by=world.kabag)

    report.refresh_from_db()
    assert report.status == Status.VERIFIED
    # 20 + 15 + 10 × 30/60, and 5 × 2 500/5 000 for the village's DPT (answered as recorded)
    assert report.score == D("42.50")
    assert report.computed_level == 2
    assert report.decided_by == world.kabag
    contributions = dict(
        report.answers.exclude(contribution=0).values_list("indicator__code", "contribution")
    )
    assert contributions == {
        "former_head_strong_rival": D("20.00"),
        "split_camps": D("15.00"),
        "travel_minutes": D("5.00"),
        "many_voters": D("2.50"),
    }
    risk = VillageRisk.objects.get(village_election=world.own[0])
    assert (risk.report_id, risk.score, risk.computed_level) == (report.pk, D("42.50"), 2)
    standing = VillageStanding.objects.get(operation=world.operation, village_election=world.own[0])
    assert (standing.level, standing.score, standing.computed_level) == (2, D("42.50"), 2)
    statuses = [t.to_status for t in report.transitions.all()]
    assert statuses == [Status.DRAFT, Status.SUBMITTED, Status.VERIFIED]


def test_later_catalogue_change_does_not_rewrite_a_verified_score(world):
    report = _submitted(world, former_head_strong_rival=True)
    report_verify(report=report, by=world.kabag)
    RiskIndicator.objects.filter(code="former_head_strong_rival").update(weight=D("90"))
    report.refresh_from_db()
    assert report.score == D("22.50")  # 20, and 2.50 for the village's DPT


def test_newer_verified_report_supersedes(world):
    first = _submitted(world, former_head_strong_rival=True, split_camps=True, conflict_history=True)
    report_verify(report=first, by=world.kabag)
    second = _submitted(world, split_camps=False)
    report_verify(report=second, by=world.kabag)

    risk = VillageRisk.objects.get(village_election=world.own[0])
    assert (risk.report_id, risk.computed_level) == (second.pk, 1)
    first.refresh_from_db()
    assert first.status == Status.VERIFIED  # history is kept, never edited


def test_return_needs_reason_and_author_can_fix_and_resubmit(world):
    report = _submitted(world, split_camps=True)
    with pytest.raises(ValidationError) as exc:
        report_return(report=report, by=world.kabag, reason="  ")
    assert "reason" in exc.value.message_dict

    report_return(report=report, by=world.kabag, reason="Lampirkan foto baliho.")
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (Status.RETURNED, "Lampirkan foto baliho.")
    assert report.transitions.last().reason == "Lampirkan foto baliho."

    report_update(report=report, by=world.polsek, narrative="Foto terlampir")
    report_submit(report=report, by=world.polsek)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (Status.DRAFT, "verify", "Diajukan"),
        (Status.DRAFT, "return", "Diajukan"),
        (Status.VERIFIED, "verify", "Diajukan"),
        (Status.RETURNED, "verify", "Diajukan"),
        (Status.VERIFIED, "update", "Laporan terverifikasi tidak dapat diubah; buat laporan baru."),
        (Status.VERIFIED, "submit", "Laporan terverifikasi tidak dapat diubah; buat laporan baru."),
        (Status.SUBMITTED, "update", "sedang diperiksa"),
        (Status.SUBMITTED, "submit", "sedang diperiksa"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(world, status, action, message):
    report = report_create(village_election=world.own[0], author=world.polsek, answers=answers())
    if status != Status.DRAFT:
        report_submit(report=report, by=world.polsek)
    if status == Status.VERIFIED:
        report_verify(report=report, by=world.kabag)
    if status == Status.RETURNED:
        report_return(report=report, by=world.kabag, reason="kurang")
    transitions_before = RiskReportTransition.objects.count()

    calls = {
        "verify": lambda: report_verify(report=report, by=world.kabag),
        "return": lambda: report_return(report=report, by=world.kabag, reason="x"),
        "update": lambda: report_update(report=report, by=world.polsek, narrative="x"),
        "submit": lambda: report_submit(report=report, by=world.polsek),
    }
    with pytest.raises(ValidationError) as exc:
        calls[action]()
    assert message in " ".join(exc.value.messages)
    report.refresh_from_db()
    assert report.status == status
    assert RiskReportTransition.objects.count() == transitions_before


@pytest.mark.parametrize("who", ["polsek", "pimpinan", "other_polsek"])
def test_only_kabag_ops_decides(world, who):
    report = _submitted(world)
    with pytest.raises(PermissionDenied):
        report_verify(report=report, by=getattr(world, who))
    with pytest.raises(PermissionDenied):
        report_return(report=report, by=getattr(world, who), reason="x")


def test_only_author_edits(world, make_user):
    from operations.roles import POLSEK

    colleague = make_user(POLSEK, unit=world.unit)
    report = report_create(village_election=world.own[0], author=world.polsek)
    with pytest.raises(PermissionDenied):
        report_update(report=report, by=colleague, narrative="x")
    with pytest.raises(PermissionDenied):
        report_submit(report=report, by=colleague)


def test_override_beats_computed_level_and_clear_restores_it(world):
    report = _submitted(world, former_head_strong_rival=True)
    report_verify(report=report, by=world.kabag)

    risk_override(village_election=world.own[0], level=3, reason="Intel: mobilisasi massa", by=world.kabag)
    standing = VillageStanding.objects.get(operation=world.operation, village_election=world.own[0])
    assert (standing.level, standing.computed_level, standing.is_overridden) == (3, 1, True)
    assert standing.required_personnel == 10

    risk_override_clear(village_election=world.own[0], by=world.kabag)
    standing.refresh_from_db()
    assert (standing.level, standing.is_overridden) == (1, False)


@pytest.mark.parametrize(
    ("level", "reason", "field"),
    [(3, "", "reason"), (7, "alasan", "level")],
)
def test_override_needs_reason_and_known_level(world, level, reason, field):
    with pytest.raises(ValidationError) as exc:
        risk_override(village_election=world.own[0], level=level, reason=reason, by=world.kabag)
    assert field in exc.value.message_dict


def test_override_is_kabag_only(world):
    with pytest.raises(PermissionDenied):
        risk_override(village_election=world.own[0], level=3, reason="x", by=world.pimpinan)
