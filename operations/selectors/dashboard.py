"""What the HQ dashboard shows for one operation: stored ranking rows, read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum

from operations.models import Operation, RiskLevel, RiskReport, VillageStanding
from operations.models.operation import SURPLUS
from operations.selectors.map import standings_map_data
from operations.selectors.ranking import LevelCounts, level_counts, ranking_for_operation

TOP_VILLAGES = 10
WAITING_REPORTS_SHOWN = 5


@dataclass(frozen=True)
class Personnel:
    required: int
    assigned: int
    shortfall: int
    villages_short: int
    # Officers beyond the need, and the villages that have them: flagged like the shortfall.
    surplus: int = 0
    villages_over: int = 0


@dataclass(frozen=True)
class KecamatanLevels:
    name: str
    aman: int
    rawan: int
    sangat_rawan: int

    @property
    def total(self) -> int:
        return self.aman + self.rawan + self.sangat_rawan


@dataclass(frozen=True)
class BarSegment:
    level: int
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class KecamatanBar:
    kecamatan: KecamatanLevels
    segments: list[BarSegment]


@dataclass(frozen=True)
class Dashboard:
    operation: Operation
    counts: LevelCounts
    personnel: Personnel
    kecamatan_bars: list[KecamatanBar]
    top: list[VillageStanding]
    waiting_reports: list[RiskReport]
    waiting_total: int
    map_data: dict
    villages_without_coordinates: int


def _personnel(rows: QuerySet[VillageStanding]) -> Personnel:
    # Aliases differ from the field names: an alias named "shortfall" would shadow the field in the filter.
    sums = rows.aggregate(
        required_sum=Sum("required_personnel", default=0),
        assigned_sum=Sum("assigned_personnel", default=0),
        shortfall_sum=Sum("shortfall", default=0),
        villages_short=Count("pk", filter=Q(shortfall__gt=0)),
        surplus_sum=Sum(SURPLUS, default=0),
        villages_over=Count("pk", filter=Q(assigned_personnel__gt=F("required_personnel"))),
    )
    return Personnel(
        required=sums["required_sum"],
        assigned=sums["assigned_sum"],
        shortfall=sums["shortfall_sum"],
        villages_short=sums["villages_short"],
        surplus=sums["surplus_sum"],
        villages_over=sums["villages_over"],
    )


def _kecamatan_bars(rows: QuerySet[VillageStanding]) -> list[KecamatanBar]:
    """Villages per level per kecamatan, each bar scaled to the largest kecamatan."""
    levels = [
        KecamatanLevels(
            name=row["kecamatan__name"],
            aman=row["aman"],
            rawan=row["rawan"],
            sangat_rawan=row["sangat_rawan"],
        )
        for row in rows.values("kecamatan__code", "kecamatan__name")
        .annotate(
            aman=Count("pk", filter=Q(level=RiskLevel.AMAN)),
            rawan=Count("pk", filter=Q(level=RiskLevel.RAWAN)),
            sangat_rawan=Count("pk", filter=Q(level=RiskLevel.SANGAT_RAWAN)),
        )
        .order_by("kecamatan__code")
    ]
    widest = max((k.total for k in levels), default=0) or 1
    return [
        KecamatanBar(
            kecamatan=k,
            segments=[
                BarSegment(
                    level=level, label=str(level.label), count=count, percent=round(100 * count / widest, 2)
                )
                for level, count in (
                    (RiskLevel.SANGAT_RAWAN, k.sangat_rawan),
                    (RiskLevel.RAWAN, k.rawan),
                    (RiskLevel.AMAN, k.aman),
                )
                if count
            ],
        )
        for k in levels
    ]


def dashboard_for_operation(*, operation: Operation) -> Dashboard:
    """Everything the HQ dashboard shows; the query count does not grow with the villages."""
    rows = VillageStanding.objects.filter(operation=operation)
    waiting = RiskReport.objects.filter(
        status=RiskReport.Status.SUBMITTED, village_election__election_id=operation.election_id
    )
    map_data, missing = standings_map_data(rows=rows)
    return Dashboard(
        operation=operation,
        counts=level_counts(operation=operation),
        personnel=_personnel(rows),
        kecamatan_bars=_kecamatan_bars(rows),
        top=list(ranking_for_operation(operation=operation)[:TOP_VILLAGES]),
        waiting_reports=list(
            waiting.select_related("village_election__desa__kecamatan", "author__officer").order_by(
                "submitted_at", "pk"
            )[:WAITING_REPORTS_SHOWN]
        ),
        waiting_total=waiting.count(),
        map_data=map_data,
        villages_without_coordinates=missing,
    )
