"""What each role sees first after logging in: the Kabag Ops' open work, a Polsek's villages."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from operations.models import Operation, RiskReport, VillageStanding
from operations.selectors.deployment import OpenProposal, open_proposals
from villages.models import VillageElection


def latest_operation() -> Operation | None:
    """The operation the nav's entry points open: the most recent one."""
    return Operation.objects.select_related("election").order_by("-starts_on", "pk").first()


@dataclass(frozen=True)
class OpsDesk:
    operation: Operation | None
    waiting_reports: int
    open_proposals: list[OpenProposal]
    shortfall: int
    villages_short: int


def ops_desk(*, operation: Operation | None) -> OpsDesk:
    """The Kabag Ops' open work: reports waiting for him, proposals not yet decided, officers short.

    Three queries, however many villages, reports or proposals, and two per stage with a proposal
    open (its staleness).
    """
    waiting = RiskReport.objects.filter(status=RiskReport.Status.SUBMITTED)
    if operation is None:
        return OpsDesk(None, waiting.count(), [], 0, 0)
    sums = VillageStanding.objects.filter(operation=operation).aggregate(
        shortfall_sum=Sum("shortfall", default=0), short=Count("pk", filter=Q(shortfall__gt=0))
    )
    return OpsDesk(
        operation=operation,
        waiting_reports=waiting.filter(village_election__election_id=operation.election_id).count(),
        # Marked stale by the rule that refuses their apply, as on the board.
        open_proposals=open_proposals(operation=operation, limit=None),
        shortfall=sums["shortfall_sum"],
        villages_short=sums["short"],
    )


@dataclass(frozen=True)
class PolsekVillage:
    village_election: VillageElection
    report: RiskReport | None  # the most recent report on the village, whoever wrote it

    @property
    def editable(self) -> bool:
        return self.report is not None and self.report.status in (
            RiskReport.Status.DRAFT,
            RiskReport.Status.RETURNED,
        )


def polsek_villages(
    *, visible_kecamatan_ids: Collection[int] | None, operation: Operation | None
) -> list[PolsekVillage]:
    """The villages of a Polsek's jurisdiction in the current election, each with its latest report.

    Two queries, however many villages and reports.
    """
    villages = VillageElection.objects.select_related("desa__kecamatan").order_by(
        "desa__kecamatan__name", "desa__name", "pk"
    )
    if visible_kecamatan_ids is not None:
        villages = villages.filter(desa__kecamatan_id__in=visible_kecamatan_ids)
    if operation is not None:
        villages = villages.filter(election_id=operation.election_id)
    villages = list(villages)
    latest: dict[int, RiskReport] = {}
    reports = RiskReport.objects.filter(village_election__in=villages).order_by("-created_at", "-pk")
    for report in reports.only("pk", "status", "village_election_id", "created_at", "author_id"):
        latest.setdefault(report.village_election_id, report)
    return [PolsekVillage(village, latest.get(village.pk)) for village in villages]
