"""The offline map: projection of centroids and (optional) tile coverage."""

import math

import pytest

from cameras.domain.public_map import (
    Bounds,
    GeoPoint,
    best_zoom,
    bounds_of,
    map_height,
    project,
    tile_of,
    tiles_covering,
)

UNAAHA = GeoPoint("unaaha", -3.853487, 122.057634)
LAMBUYA = GeoPoint("lambuya", -3.967583, 122.047795)
WAWOTOBI = GeoPoint("wawotobi", -3.858554, 122.135253)


def test_bounds_contain_every_point_with_a_margin():
    bounds = bounds_of([UNAAHA, LAMBUYA, WAWOTOBI])
    for point in (UNAAHA, LAMBUYA, WAWOTOBI):
        assert bounds.south < point.latitude < bounds.north
        assert bounds.west < point.longitude < bounds.east


def test_one_point_still_gets_an_area():
    bounds = bounds_of([UNAAHA])
    assert bounds.north - bounds.south == pytest.approx(0.02)
    assert bounds.east - bounds.west == pytest.approx(0.02)


def test_no_points_is_an_error():
    with pytest.raises(ValueError, match="no points"):
        bounds_of([])


def test_projection_puts_north_up_and_west_left_inside_the_map():
    bounds = bounds_of([UNAAHA, LAMBUYA, WAWOTOBI])
    width = 800
    height = map_height(bounds, width)
    placed = {p.key: p for p in project([UNAAHA, LAMBUYA, WAWOTOBI], bounds, width)}
    for point in placed.values():
        assert 0 < point.x < width
        assert 0 < point.y < height
    assert placed["lambuya"].y > placed["unaaha"].y  # further south is lower
    assert placed["wawotobi"].x > placed["unaaha"].x  # further east is right


def test_projection_keeps_ground_distances_in_proportion():
    # Two points 0.1 degree apart north-south and 0.1 degree east-west near 4 S: on the ground
    # the east-west gap is cos(4 deg) of the north-south one, and so on the map.
    origin = GeoPoint("o", -4.0, 122.0)
    north = GeoPoint("n", -3.9, 122.0)
    east = GeoPoint("e", -4.0, 122.1)
    bounds = bounds_of([origin, north, east])
    placed = {p.key: p for p in project([origin, north, east], bounds, 1000)}
    dy = placed["o"].y - placed["n"].y
    dx = placed["e"].x - placed["o"].x
    assert dx / dy == pytest.approx(math.cos(math.radians(-3.95)), rel=0.01)


def test_tile_numbers_match_the_web_mercator_scheme():
    # Zoom 0 is one tile; the equator/prime meridian sits in the middle of it.
    assert tile_of(0.0, 0.0, 0) == pytest.approx((0.5, 0.5))
    x, y = tile_of(-3.85, 122.06, 10)
    assert (math.floor(x), math.floor(y)) == (859, 522)


def test_tiles_cover_the_bounds_and_respect_the_limit():
    bounds = Bounds(south=-4.0, west=122.0, north=-3.8, east=122.2)
    tiles = tiles_covering(bounds, 10)
    assert {t.zoom for t in tiles} == {10}
    xs = {t.x for t in tiles}
    ys = {t.y for t in tiles}
    assert len(tiles) == len(xs) * len(ys)
    with pytest.raises(ValueError, match="exceed"):
        tiles_covering(bounds, 16, limit=64)


def test_best_zoom_is_the_highest_that_fits_the_tile_budget():
    bounds = Bounds(south=-4.0, west=122.0, north=-3.8, east=122.2)
    zoom = best_zoom(bounds, max_tiles=16)
    assert len(tiles_covering(bounds, zoom, limit=16)) <= 16
    with pytest.raises(ValueError, match="exceed"):
        tiles_covering(bounds, zoom + 1, limit=16)


def test_labels_that_would_overlap_are_dropped_in_order_of_importance():
    from cameras.domain.public_map import MapPoint, labels_that_fit

    placed = [
        (MapPoint("a", 100, 100), "Unaaha"),
        (MapPoint("b", 105, 102), "Wawotobi"),  # on top of a: dropped
        (MapPoint("c", 300, 100), "Lambuya"),  # far away: kept
        (MapPoint("d", 100, 160), "Tongauna"),  # below a, clear of it: kept
    ]
    assert labels_that_fit(placed, font_size=18) == {"a", "c", "d"}
    # Order decides who wins a clash.
    assert labels_that_fit(placed[1::-1], font_size=18) == {"b"}
