"""Plane geometry for the dashboard map; pure Python, no ORM."""

from __future__ import annotations

Point = tuple[float, float]


def convex_hull(points: list[Point]) -> list[Point]:
    """The hull of ``points`` counter-clockwise, without repeating the first point (Andrew's chain).

    Fewer than three distinct points, or all on one line, give the distinct points themselves
    (the map draws those as a label only, not an outline).
    """
    unique = sorted(set(points))
    if len(unique) < 3:
        return unique

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def chain(ordered: list[Point]) -> list[Point]:
        result: list[Point] = []
        for p in ordered:
            while len(result) >= 2 and cross(result[-2], result[-1], p) <= 0:
                result.pop()
            result.append(p)
        return result

    lower, upper = chain(unique), chain(unique[::-1])
    hull = lower[:-1] + upper[:-1]
    return hull if len(hull) >= 3 else unique


def centroid(points: list[Point]) -> Point:
    """The mean of the points: where the map puts a kecamatan's label."""
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
