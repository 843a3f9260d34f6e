"""What the HQ dashboard shows for one operation: stored ranking rows, read in a fixed number of queries."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse

from operations.geometry import centroid, convex_hull
from operations.models import Operation, RiskLevel, RiskReport, VillageStanding
from operations.selectors.ranking import LevelCounts, level_counts, ranking_for_operation
from villages.models import Kecamatan

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
    """GeoJSON of the villages (their outlines, filled by level) and the kecamatan (outline, label).

    Outlines come from the boundary import; a desa without one is drawn at its centroid, and a
    kecamatan without one as the convex hull of its villages' centroids. Returns the data and how
    many villages have neither outline nor centroid (they are not on the map).
    """
    villages, by_kecamatan, missing = [], defaultdict(list), 0
    kecamatan_ids: dict[str, int] = {}
    for row in rows.values(
        "village_election_id",
        "desa_code",
        "village_election__desa__name",
        "village_election__desa__latitude",
        "village_election__desa__longitude",
        "village_election__desa__boundary_geojson",
        "village_election__desa__sea_access_only",
        "kecamatan_id",
        "kecamatan__name",
        "polsek_id",
        "polsek_name",
        "level",
        "computed_level",
        "is_overridden",
        "score",
        "required_personnel",
        "assigned_personnel",
        "shortfall",
    ).order_by("desa_code"):
        lat, lng = row["village_election__desa__latitude"], row["village_election__desa__longitude"]
        outline = row["village_election__desa__boundary_geojson"]
        if not outline and (lat is None or lng is None):
            missing += 1
            continue
        if lat is not None and lng is not None:
            by_kecamatan[row["kecamatan__name"]].append((float(lng), float(lat)))
        kecamatan_ids[row["kecamatan__name"]] = row["kecamatan_id"]
        villages.append(
            {
                "type": "Feature",
                "geometry": json.loads(outline)
                if outline
                else {"type": "Point", "coordinates": [float(lng), float(lat)]},
                "properties": {
                    "code": row["desa_code"],
                    "name": row["village_election__desa__name"],
                    "kecamatan": row["kecamatan__name"],
                    "polsek": row["polsek_name"],
                    "polsek_id": row["polsek_id"],
                    "level": row["level"],
                    "level_label": str(RiskLevel(row["level"]).label),
                    "assessed": row["computed_level"] is not None or row["is_overridden"],
                    "score": float(row["score"]),
                    "required": row["required_personnel"],
                    "assigned": row["assigned_personnel"],
                    "shortfall": row["shortfall"],
                    "sea_access_only": row["village_election__desa__sea_access_only"],
                    "url": reverse("village-detail", args=[row["village_election_id"]]),
                },
            }
        )
    outlines = dict(
        # A subquery, not the ids: one query whether or not any village is on the map.
        Kecamatan.objects.filter(pk__in=rows.values("kecamatan_id"))
        .exclude(boundary_geojson="")
        .values_list("pk", "boundary_geojson")
    )
    kecamatan = []
    for name, kecamatan_id in sorted(kecamatan_ids.items()):
        points = by_kecamatan.get(name, [])
        if kecamatan_id in outlines:
            geometry = json.loads(outlines[kecamatan_id])
        elif len(hull := convex_hull(points)) >= 3:
            geometry = {"type": "Polygon", "coordinates": [[list(p) for p in [*hull, hull[0]]]]}
        elif points:
            geometry = {"type": "Point", "coordinates": list(centroid(points))}
        else:
            continue
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
            waiting.select_related("village_election__desa__kecamatan", "author__officer").order_by(
                "submitted_at", "pk"
            )[:WAITING_REPORTS_SHOWN]
        ),
        waiting_total=waiting.count(),
        map_data=map_data,
        villages_without_coordinates=missing,
    )
