import pytest
from django.core.exceptions import ImproperlyConfigured

from pilkades.env import url_origin


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.id/{z}/{x}/{y}.png", "https://*.tile.example.id"),
        ("http://10.0.0.5:8080/tiles/{z}/{x}/{y}.png", "http://10.0.0.5:8080"),
    ],
)
def test_tile_url_gives_the_csp_source(url, origin):
    assert url_origin("PILKADES_MAP_TILE_URL", url) == origin


@pytest.mark.parametrize("url", ["tile.example.id/{z}/{x}/{y}.png", "ftp://tiles.example.id/x", "https://"])
def test_a_tile_url_that_is_not_http_stops_start_up(url):
    with pytest.raises(ImproperlyConfigured, match="PILKADES_MAP_TILE_URL"):
        url_origin("PILKADES_MAP_TILE_URL", url)
