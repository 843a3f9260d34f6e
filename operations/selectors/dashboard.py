"""What the HQ dashboard shows for one operation: stored ranking rows, read in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse

from operations.geometry import centroid, convex_hull
from operations.models import Operation, RiskLevel, RiskReport, VillageStanding
from operations.selectors.ranking import LevelCounts, level_counts, ranking_for_operation

TOP_VILLAGES = 10
WAITING_REPORTS_SHOWN = 5


@dataclass(frozen=True)
class Personnel:
    required: int
    assigned: int
    shortfall: int
    villages_short: int


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
    )
    return Personnel(
        required=sums["required_sum"],
        assigned=sums["assigned_sum"],
        shortfall=sums["shortfall_sum"],
        villages_short=sums["villages_short"],
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


def _map_data(rows: QuerySet[VillageStanding]) -> tuple[dict, int]:
    """GeoJSON of the villages (points coloured by level) and the kecamatan (outline and label).

    The outlines are the convex hulls of each kecamatan's villages: enough to see the kecamatan on
    a map without tiles, with no boundary data to maintain. Returns the data and how many villages
    have no coordinates (they are not on the map).
    """
    villages, by_kecamatan, missing = [], defaultdict(list), 0
    for row in rows.values(
        "village_election_id",
        "village_election__desa__name",
        "village_election__desa__latitude",
        "village_election__desa__longitude",
        "kecamatan__name",
        "level",
        "required_personnel",
        "assigned_personnel",
        "shortfall",
    ).order_by("desa_code"):
        lat, lng = row["village_election__desa__latitude"], row["village_election__desa__longitude"]
        if lat is None or lng is None:
            missing += 1
            continue
        point = (float(lng), float(lat))
        by_kecamatan[row["kecamatan__name"]].append(point)
        villages.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(point)},
                "properties": {
                    "name": row["village_election__desa__name"],
                    "kecamatan": row["kecamatan__name"],
                    "level": row["level"],
                    "level_label": str(RiskLevel(row["level"]).label),
                    "required": row["required_personnel"],
                    "assigned": row["assigned_personnel"],
                    "shortfall": row["shortfall"],
                    "url": reverse("village-detail", args=[row["village_election_id"]]),
                },
            }
        )
    kecamatan = []
    for name, points in sorted(by_kecamatan.items()):
        hull = convex_hull(points)
        geometry = (
            {"type": "Polygon", "coordinates": [[list(p) for p in [*hull, hull[0]]]]}
            if len(hull) >= 3
            else {"type": "Point", "coordinates": list(centroid(points))}
        )
        kecamatan.append({"type": "Feature", "geometry": geometry, "properties": {"name": name}})
    return (
        {
            "villages": {"type": "FeatureCollection", "features": villages},
            "kecamatan": {"type": "FeatureCollection", "features": kecamatan},
        },
        missing,
    )


def dashboard_for_operation(*, operation: Operation) -> Dashboard:
    """Everything the HQ dashboard shows; the query count does not grow with the villages."""
    rows = VillageStanding.objects.filter(operation=operation)
    waiting = RiskReport.objects.filter(
        status=RiskReport.Status.SUBMITTED, village_election__election_id=operation.election_id
    )
    map_data, missing = _map_data(rows)
    return Dashboard(
        operation=operation,
        counts=level_counts(operation=operation),
        personnel=_personnel(rows),
        kecamatan_bars=_kecamatan_bars(rows),
        top=list(ranking_for_operation(operation=operation)[:TOP_VILLAGES]),
        waiting_reports=list(
            waiting.select_related("village_election__desa__kecamatan", "author").order_by(
                "submitted_at", "pk"
            )[:WAITING_REPORTS_SHOWN]
        ),
        waiting_total=waiting.count(),
        map_data=map_data,
        villages_without_coordinates=missing,
    )
