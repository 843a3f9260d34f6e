"""The risk map as GeoJSON: desa outlines with their standing, or kabupaten outlines with counts.

The outlines are stored as GeoJSON text by the boundary import; they are spliced into the answer
as they are (never parsed and re-serialised), which keeps a kabupaten's map (326 desa, ~0.45 MB)
to a few milliseconds of work. Only the properties go through ``json.dumps``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection

from django.db.models import Q, QuerySet
from django.urls import reverse

from operations.geometry import centroid, convex_hull
from operations.models import Operation, RiskLevel, VillageStanding
from villages.models import Kabupaten, Kecamatan


def _feature(geometry: str, properties: dict) -> str:
    return (
        '{"type":"Feature","geometry":'
        + (geometry or "null")
        + ',"properties":'
        + json.dumps(properties, ensure_ascii=False, separators=(",", ":"))
        + "}"
    )


def _point(latitude, longitude) -> str:
    if latitude is None or longitude is None:
        return ""
    return f'{{"type":"Point","coordinates":[{float(longitude)},{float(latitude)}]}}'


def _village_url():
    """The village page's address for a village election id, with one reverse() for the whole map
    rather than one per village (a third of the work for a kabupaten)."""
    marker = "987654321"
    template = reverse("village-detail", args=[marker])
    return lambda village_election_id: template.replace(marker, str(village_election_id))


def _collection(features: list[str], meta: dict) -> bytes:
    head = '{"type":"FeatureCollection","meta":' + json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
    return (head + ',"features":[' + ",".join(features) + "]}").encode()


# What both maps read of each village: the API's GeoJSON and the pages' map data.
_VILLAGE_COLUMNS = (
    "village_election_id",
    "kecamatan_id",
    "village_election__desa__boundary_geojson",
    "village_election__desa__latitude",
    "village_election__desa__longitude",
    "desa_code",
    "desa_name",
    "kecamatan_name",
    "polsek_id",
    "polsek_name",
    "level",
    "computed_level",
    "is_overridden",
    "score",
    "required_personnel",
    "assigned_personnel",
    "shortfall",
    "village_election__desa__sea_access_only",
)


def _villages(rows: QuerySet[VillageStanding]):
    """Each village of ``rows`` by desa code: (village election id, kecamatan id, outline text,
    latitude, longitude, properties). The properties are the same on both maps."""
    labels = {level.value: str(level.label) for level in RiskLevel}
    village_url = _village_url()
    for row in rows.order_by("desa_code").values_list(*_VILLAGE_COLUMNS):
        ve_id, kecamatan_id, outline, latitude, longitude, code, name, kecamatan = row[:8]
        polsek_id, polsek, level, computed, overridden, score, required, assigned, shortfall = row[8:17]
        yield (
            ve_id,
            kecamatan_id,
            outline,
            latitude,
            longitude,
            {
                "code": code,
                "name": name,
                "kecamatan": kecamatan,
                "polsek_id": polsek_id,
                "polsek": polsek,
                "level": level,
                "level_label": labels.get(level, ""),
                "assessed": computed is not None or overridden,
                "score": float(score),
                "need": required,
                "assigned": assigned,
                "shortfall": shortfall,
                "sea_access_only": row[17],
                "url": village_url(ve_id),
                "centroid": [float(longitude), float(latitude)]
                if latitude is not None and longitude is not None
                else None,
            },
        )


def desa_map_geojson(
    *, operation: Operation, kabupaten: str, visible_kecamatan_ids: Collection[int] | None
) -> bytes:
    """Every desa of the operation in ``kabupaten`` (a PP.KK code) with its outline and standing.

    A desa without an outline is drawn at its centroid (a Point), or without geometry if it has
    neither; ``meta`` counts both so a client can say so.
    """
    rows = VillageStanding.objects.filter(operation=operation, kabupaten_code=kabupaten)
    if visible_kecamatan_ids is not None:
        rows = rows.filter(kecamatan_id__in=visible_kecamatan_ids)
    features, without_outline, without_location = [], 0, 0
    for _ve_id, _kecamatan_id, outline, latitude, longitude, properties in _villages(rows):
        geometry = outline or _point(latitude, longitude)
        without_outline += not outline
        without_location += not geometry
        features.append(_feature(geometry, properties))
    meta = {
        "operation": operation.pk,
        "kabupaten": kabupaten,
        "level": "desa",
        "villages": len(features),
        "without_outline": without_outline,
        "without_location": without_location,
    }
    return _collection(features, meta)


def kabupaten_map_geojson(*, operation: Operation, visible_kecamatan_ids: Collection[int] | None) -> bytes:
    """One feature per kabupaten of the operation: its outline and the counts of its villages."""
    rows = VillageStanding.objects.filter(operation=operation)
    if visible_kecamatan_ids is not None:
        rows = rows.filter(kecamatan_id__in=visible_kecamatan_ids)
    totals: dict[str, dict] = defaultdict(
        lambda: (
            {"villages": 0, "unassessed": 0, "need": 0, "assigned": 0, "shortfall": 0}
            | {f"level_{level.value}": 0 for level in RiskLevel}
        )
    )
    for code, level, computed, overridden, required, assigned, shortfall in rows.values_list(
        "kabupaten_code",
        "level",
        "computed_level",
        "is_overridden",
        "required_personnel",
        "assigned_personnel",
        "shortfall",
    ):
        total = totals[code]
        total["villages"] += 1
        total["unassessed"] += computed is None and not overridden
        total[f"level_{level}"] += 1
        total["need"] += required
        total["assigned"] += assigned
        total["shortfall"] += shortfall
    outlines = {
        code: (name, outline or _point(lat, lng))
        for code, name, outline, lat, lng in Kabupaten.objects.filter(Q(code__in=totals)).values_list(
            "code", "name", "boundary_geojson", "latitude", "longitude"
        )
    }
    features = [
        _feature(
            outlines.get(code, ("", ""))[1], {"code": code, "name": outlines.get(code, ("", ""))[0], **total}
        )
        for code, total in sorted(totals.items())
    ]
    return _collection(
        features, {"operation": operation.pk, "level": "kabupaten", "kabupaten": len(features)}
    )


def standings_map_data(*, rows: QuerySet[VillageStanding]) -> tuple[dict, int]:
    """The pages' map (dashboard, village page, deployment board) for the standings ``rows``:
    GeoJSON of the villages (their outlines, filled by level) and the kecamatan (outline, label).

    Outlines come from the boundary import; a desa without one is drawn at its centroid, and a
    kecamatan without one as the convex hull of its villages' centroids. Returns the data and how
    many villages have neither outline nor centroid (they are not on the map).
    """
    villages, by_kecamatan, missing = [], defaultdict(list), 0
    kecamatan_ids: dict[str, int] = {}
    for _ve_id, kecamatan_id, outline, _lat, _lng, properties in _villages(rows):
        point = properties["centroid"]
        if not outline and point is None:
            missing += 1
            continue
        if point is not None:
            by_kecamatan[properties["kecamatan"]].append(tuple(point))
        kecamatan_ids[properties["kecamatan"]] = kecamatan_id
        geometry = json.loads(outline) if outline else {"type": "Point", "coordinates": list(point)}
        villages.append({"type": "Feature", "geometry": geometry, "properties": properties})
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


def village_neighbourhood_map_data(*, standing: VillageStanding) -> tuple[dict, int]:
    """The village page's map: the village and its neighbours in its kecamatan, under one operation."""
    return standings_map_data(
        rows=VillageStanding.objects.filter(
            operation_id=standing.operation_id, kecamatan_id=standing.kecamatan_id
        )
    )


def board_map_data(*, operation: Operation, level: int | None = None) -> tuple[dict, int]:
    """The deployment board's map: the operation's villages (at ``level`` if the board is filtered)."""
    rows = VillageStanding.objects.filter(operation=operation)
    if level is not None:
        rows = rows.filter(level=level)
    return standings_map_data(rows=rows)
