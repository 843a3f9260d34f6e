"""Reads of risk reports: by jurisdiction, by author, the review queue, the form's indicators."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from operations import scoring
from operations.models import (
    LevelThreshold,
    RiskIndicator,
    RiskReport,
    RiskReportAnswer,
    RiskReportTransition,
    VillageRisk,
)


def _report_rows() -> tuple[Prefetch, Prefetch]:
    return (
        Prefetch("answers", queryset=RiskReportAnswer.objects.select_related("indicator")),
        Prefetch("transitions", queryset=RiskReportTransition.objects.select_related("by__officer")),
    )


def reports_in_jurisdiction(*, visible_kecamatan_ids: Collection[int] | None) -> QuerySet[RiskReport]:
    """Reports in the caller's jurisdiction (None = all), nothing joined or prefetched: enough to
    tell whether a row is his before a service locks and reads it itself."""
    rows = RiskReport.objects.all()
    if visible_kecamatan_ids is not None:
        rows = rows.in_kecamatan(visible_kecamatan_ids)
    return rows


def answers_with_evidence(*, visible_kecamatan_ids: Collection[int] | None) -> QuerySet[RiskReportAnswer]:
    """Answers carrying a file, of reports in the caller's jurisdiction (None = all)."""
    reports = reports_in_jurisdiction(visible_kecamatan_ids=visible_kecamatan_ids)
    return (
        RiskReportAnswer.objects.filter(report__in=reports.values("pk"))
        .exclude(attachment="")
        .exclude(attachment__isnull=True)
    )


def reports_visible(*, visible_kecamatan_ids: Collection[int] | None) -> QuerySet[RiskReport]:
    """Reports in the caller's jurisdiction (None = all), with what a list or detail shows."""
    return (
        reports_in_jurisdiction(visible_kecamatan_ids=visible_kecamatan_ids)
        .select_related(
            "village_election__desa__kecamatan", "village_election__election", "author__officer", "decided_by"
        )
        .prefetch_related(*_report_rows())
        .order_by("-created_at", "-pk")
    )


def report_with_rows(report: RiskReport) -> RiskReport:
    """A report already in hand (a service's locked row) with its answers and transitions read as
    ``reports_visible`` prefetches them: two queries, however many answers."""
    prefetch_related_objects([report], *_report_rows())
    return report


def reports_of_author(*, author: AbstractBaseUser) -> QuerySet[RiskReport]:
    return RiskReport.objects.filter(author=author).select_related("village_election__desa__kecamatan")


def review_queue() -> QuerySet[RiskReport]:
    """Submitted reports waiting for Kabag Ops, oldest first, with each village's current risk."""
    return (
        reports_visible(visible_kecamatan_ids=None)
        .select_related("village_election__risk")
        .filter(status=RiskReport.Status.SUBMITTED)
        .order_by("submitted_at", "pk")
    )


def level_thresholds() -> dict[int, Decimal]:
    return dict(LevelThreshold.objects.values_list("level", "min_score"))


def report_scored(
    answers: Iterable[RiskReportAnswer], thresholds: dict[int, Decimal]
) -> tuple[scoring.ScoreResult, int]:
    """A report's score (each answer's contribution by its pk) and the level it reaches: the one
    computation verification freezes and the review queue shows beforehand."""
    result = scoring.score_answers(
        scoring.AnswerInput(
            key=answer.pk,
            kind=answer.indicator.kind,
            weight=answer.indicator.weight,
            full_weight_at=answer.indicator.full_weight_at,
            flag=answer.flag,
            number=answer.number,
        )
        for answer in answers
    )
    return result, scoring.level_for_score(result.total, thresholds)


@dataclass(frozen=True)
class VerificationPreview:
    """What verifying a waiting report would do: its score and level, and the village's level
    before and after (an override by Kabag Ops keeps the village where it is)."""

    score: Decimal
    level: int
    current_level: int | None
    next_level: int
    overridden: bool
    has_unknown: bool


def review_queue_with_previews() -> list[RiskReport]:
    """The review queue, each report carrying ``preview``: one pass over the page (thresholds read
    once, answers and village risk already joined), no query per report."""
    reports = list(review_queue())
    attach_previews(reports)
    return reports


def attach_previews(reports: Sequence[RiskReport]) -> None:
    if not reports:
        return
    thresholds = level_thresholds()
    for report in reports:
        answers = list(report.answers.all())
        result, level = report_scored(answers, thresholds)
        try:
            risk: VillageRisk | None = report.village_election.risk
        except VillageRisk.DoesNotExist:
            risk = None
        override = risk.override_level if risk else None
        report.preview = VerificationPreview(
            score=result.total,
            level=level,
            current_level=(override or risk.computed_level) if risk else None,
            next_level=override or level,
            overridden=override is not None,
            has_unknown=any(answer.unknown for answer in answers),
        )


def indicators_active() -> QuerySet[RiskIndicator]:
    return RiskIndicator.objects.filter(is_active=True).order_by("order", "code")
