import pytest

from operations.geometry import centroid, convex_hull


@pytest.mark.parametrize(
    ("points", "hull"),
    [
        ([], []),
        ([(1.0, 1.0)], [(1.0, 1.0)]),
        ([(1.0, 1.0), (1.0, 1.0)], [(1.0, 1.0)]),
        ([(0.0, 0.0), (2.0, 2.0)], [(0.0, 0.0), (2.0, 2.0)]),
        # Collinear: no area, so no outline.
        ([(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)], [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)]),
        ([(0.0, 0.0), (2.0, 0.0), (1.0, 2.0)], [(0.0, 0.0), (2.0, 0.0), (1.0, 2.0)]),
        # The inner point and the point on an edge are dropped; counter-clockwise from the lowest x.
        (
            [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (2.0, 2.0), (2.0, 0.0)],
            [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)],
        ),
    ],
)
def test_convex_hull(points, hull):
    assert convex_hull(points) == hull


def test_centroid_is_the_mean():
    assert centroid([(0.0, 0.0), (4.0, 0.0), (2.0, 6.0)]) == (2.0, 2.0)
