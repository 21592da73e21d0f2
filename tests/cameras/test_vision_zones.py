"""Staff zones and ignore masks: pure geometry on normalised polygons."""

from __future__ import annotations

import pytest

from cameras.vision import PersonBox
from cameras.vision.zones import count_people_in_zone, point_in_polygon, validate_polygon

FRAME = (720, 1280, 3)
LEFT_HALF = [(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)]
COUNTER = [(0.1, 0.5), (0.6, 0.5), (0.6, 1.0), (0.1, 1.0)]
POSTER = [(0.7, 0.1), (0.9, 0.1), (0.9, 0.6), (0.7, 0.6)]


def person(x: int, y: int, w: int, h: int) -> PersonBox:
    return PersonBox(x, y, w, h, 0.9, "pose")


@pytest.mark.parametrize(
    ("box", "zone", "ignore", "counted"),
    [
        pytest.param(person(100, 300, 100, 300), [], [], True, id="no-zone-means-whole-frame"),
        pytest.param(person(100, 300, 100, 300), LEFT_HALF, [], True, id="feet-in-zone"),
        pytest.param(person(800, 300, 100, 300), LEFT_HALF, [], False, id="feet-outside"),
        # Head in the zone, feet outside: standing outside the counter does not count.
        pytest.param(person(300, 100, 100, 200), COUNTER, [], False, id="only-head-in-zone"),
        pytest.param(person(300, 300, 100, 300), COUNTER, [], True, id="box-touching-bottom"),
        pytest.param(person(950, 150, 150, 250), [], [POSTER], False, id="poster-ignored"),
        pytest.param(person(100, 300, 100, 300), [], [POSTER], True, id="away-from-poster"),
    ],
)
def test_person_counts_only_in_staff_zone_and_outside_ignore_masks(box, zone, ignore, counted):
    kept = count_people_in_zone([box], FRAME, zone, ignore)
    assert (kept == [box]) is counted


def test_zone_counting_keeps_order_and_accepts_json_lists():
    people = [person(100, 300, 100, 300), person(800, 300, 100, 300), person(50, 400, 80, 200)]
    zone_from_json = [[0.0, 0.0], [0.5, 0.0], [0.5, 1.0], [0.0, 1.0]]
    assert count_people_in_zone(people, FRAME, zone_from_json, None) == [people[0], people[2]]


def test_zone_is_resolution_independent():
    small = PersonBox(50, 150, 50, 150, 0.9, "pose")
    large = PersonBox(100, 300, 100, 300, 0.9, "pose")
    assert count_people_in_zone([small], (360, 640), LEFT_HALF, [])
    assert count_people_in_zone([large], (720, 1280), LEFT_HALF, [])


def test_point_in_polygon_edges_and_concave_shapes():
    l_shape = [(0, 0), (1, 0), (1, 0.4), (0.4, 0.4), (0.4, 1), (0, 1)]
    assert point_in_polygon((0.2, 0.8), l_shape)
    assert not point_in_polygon((0.8, 0.8), l_shape)
    assert point_in_polygon((0.4, 0.7), l_shape)  # on an edge
    assert not point_in_polygon((0.5, 0.5), [(0, 0), (1, 1)])  # degenerate


def test_invalid_zone_definitions_are_rejected():
    with pytest.raises(ValueError, match="3 points"):
        validate_polygon([(0, 0), (1, 1)])
    with pytest.raises(ValueError, match=r"0\.\.1"):
        validate_polygon([(0, 0), (640, 0), (640, 360)])
    with pytest.raises(ValueError, match="frame_shape"):
        count_people_in_zone([], (0, 0), [], [])
