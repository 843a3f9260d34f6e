"""Where a desa is, and how far apart two points are (the geography work's distances).

A desa's point is its ``latitude``/``longitude`` (the boundary import writes the outline's centroid
there); distances come from the allocation solver's haversine, so dispatch and allocation measure
alike.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from django.utils.formats import number_format

from operations.allocation.geo import haversine_km_matrix

Point = tuple[float, float]


def point_of(lat: Decimal | float | None, lng: Decimal | float | None) -> Point | None:
    if lat is None or lng is None:
        return None
    return float(lat), float(lng)


def km_text(metres: int) -> str:
    """Kilometres to one decimal in the reader's format ("11,1"), whole ones without it ("5"), as
    the phone's and the board's scripts write them (``maximumFractionDigits: 1``)."""
    km = round(metres / 1000, 1)
    return number_format(int(km) if km.is_integer() else km)


def desa_point(desa) -> Point | None:
    return point_of(desa.latitude, desa.longitude)


def unit_point(unit) -> Point | None:
    return point_of(getattr(unit, "hq_latitude", None), getattr(unit, "hq_longitude", None))


def distance_km(a: Point, b: Point) -> float:
    return float(
        haversine_km_matrix(np.array([a[0]]), np.array([a[1]]), np.array([b[0]]), np.array([b[1]]))[0, 0]
    )


def distances_km(origins: list[Point], target: Point) -> list[float]:
    """Kilometres from each origin to one target, in one vectorised call."""
    if not origins:
        return []
    lat = np.array([p[0] for p in origins])
    lng = np.array([p[1] for p in origins])
    return [
        float(d) for d in haversine_km_matrix(lat, lng, np.array([target[0]]), np.array([target[1]]))[:, 0]
    ]
