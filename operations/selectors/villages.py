"""A village election as HQ and its Polsek see it: current risk, report history, candidates."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from operations.models import RiskReport, RiskReportAnswer, RiskReportTransition, VillageRisk, VillageStanding
from villages.models import Candidate, VillageElection


def village_elections_visible(*, visible_kecamatan_ids: Collection[int] | None) -> QuerySet[VillageElection]:
    """The jurisdiction limit for village elections (None = every kecamatan)."""
    rows = VillageElection.objects.select_related("desa__kecamatan", "election")
    if visible_kecamatan_ids is not None:
        rows = rows.filter(desa__kecamatan_id__in=visible_kecamatan_ids)
    return rows


@dataclass(frozen=True)
class VillageDetail:
    village_election: VillageElection
    risk: VillageRisk | None
    breakdown: list[RiskReportAnswer]
    reports: list[RiskReport]
    candidates: list[Candidate]
    standings: list[VillageStanding]


def village_detail(
    *, village_election_id: int, visible_kecamatan_ids: Collection[int] | None
) -> VillageDetail:
    """Everything the village page shows, in a fixed number of queries.

    Raises VillageElection.DoesNotExist outside the caller's jurisdiction, so a Polsek user
    cannot tell another Polsek's village from a missing one.
    """
    village_election = village_elections_visible(visible_kecamatan_ids=visible_kecamatan_ids).get(
        pk=village_election_id
    )
    risk = (
        VillageRisk.objects.select_related("report__author", "override_by__officer")
        .filter(village_election=village_election)
        .first()
    )
    breakdown = []
    if risk is not None and risk.report_id is not None:
        breakdown = list(
            RiskReportAnswer.objects.filter(report_id=risk.report_id)
            .select_related("indicator")
            .order_by("-contribution", "indicator__order")
        )
    reports = list(
        RiskReport.objects.filter(village_election=village_election)
        .select_related("author__officer", "decided_by")
        .prefetch_related(
            Prefetch("transitions", queryset=RiskReportTransition.objects.select_related("by__officer"))
        )
        .order_by("-created_at", "-pk")
    )
    return VillageDetail(
        village_election=village_election,
        risk=risk,
        breakdown=breakdown,
        reports=reports,
        candidates=list(village_election.candidates.all()),
        standings=list(
            VillageStanding.objects.filter(village_election=village_election).select_related("operation")
        ),
    )
