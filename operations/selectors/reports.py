"""Reads of risk reports: by jurisdiction, by author, the review queue, the form's indicators."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from operations.models import RiskIndicator, RiskReport, RiskReportAnswer, RiskReportTransition


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
    """Submitted reports waiting for Kabag Ops, oldest first."""
    return (
        reports_visible(visible_kecamatan_ids=None)
        .filter(status=RiskReport.Status.SUBMITTED)
        .order_by("submitted_at", "pk")
    )


def indicators_active() -> QuerySet[RiskIndicator]:
    return RiskIndicator.objects.filter(is_active=True).order_by("order", "code")
