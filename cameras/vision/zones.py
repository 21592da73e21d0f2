"""Per-camera staff zone and ignore masks, in normalised (0..1) image coordinates.

A polygon is a sequence of (x, y) points with x to the right and y down, 0..1 of the frame's
width and height (so a zone survives a change of stream resolution). An empty staff zone means
the whole frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cameras.vision.detector import PersonBox

Point = tuple[float, float]
Polygon = Sequence[Sequence[float]]


def point_in_polygon(point: Point, polygon: Polygon) -> bool:
    """Even-odd rule; points on an edge count as inside. Needs at least 3 vertices."""
    if len(polygon) < 3:
        return False
    x, y = point
    inside = False
    count = len(polygon)
    for index in range(count):
        x1, y1 = float(polygon[index][0]), float(polygon[index][1])
        x2, y2 = float(polygon[(index + 1) % count][0]), float(polygon[(index + 1) % count][1])
        if _on_segment(x, y, x1, y1, x2, y2):
            return True
        if (y1 > y) != (y2 > y):
            cross_x = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < cross_x:
                inside = not inside
    return inside


def _on_segment(x: float, y: float, x1: float, y1: float, x2: float, y2: float) -> bool:
    cross = (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1)
    if abs(cross) > 1e-9:
        return False
    return min(x1, x2) - 1e-9 <= x <= max(x1, x2) + 1e-9 and (
        min(y1, y2) - 1e-9 <= y <= max(y1, y2) + 1e-9
    )


def validate_polygon(polygon: Polygon) -> list[list[float]]:
    """Normalised copy of a polygon; raises ValueError unless 3+ points all within 0..1."""
    points = [[float(p[0]), float(p[1])] for p in polygon]
    if len(points) < 3:
        raise ValueError("a zone polygon needs at least 3 points")
    if any(not (0.0 <= v <= 1.0) for p in points for v in p):
        raise ValueError("zone coordinates are fractions of the frame (0..1)")
    return points


def count_people_in_zone(
    people: Iterable[PersonBox],
    frame_shape: Sequence[int],
    staff_zone: Polygon | None = None,
    ignore_zones: Iterable[Polygon] | None = None,
) -> list[PersonBox]:
    """People who count for staffing: those standing in the staff zone and in no ignore zone.

    A person stands where the bottom-centre of the box is. A person is dropped when the
    centre of the box lies in an ignore zone (a poster, a mirror or a TV covers the whole
    figure, not just the feet). `frame_shape` is (height, width, ...) of the frame the boxes
    refer to. An empty or missing staff zone means the whole frame. Pure; keeps input order.
    """
    height, width = int(frame_shape[0]), int(frame_shape[1])
    if height <= 0 or width <= 0:
        raise ValueError("frame_shape must be (height, width, ...)")
    zone = list(staff_zone or [])
    masks = [list(mask) for mask in (ignore_zones or []) if len(mask) >= 3]
    kept: list[PersonBox] = []
    for person in people:
        foot_x, foot_y = person.bottom_centre
        # A box touching the bottom edge stands on it, not below it.
        foot = (foot_x / width, min(foot_y, height - 0.5) / height)
        centre = ((person.x + person.w / 2) / width, (person.y + person.h / 2) / height)
        if zone and not point_in_polygon(foot, zone):
            continue
        if any(point_in_polygon(centre, mask) for mask in masks):
            continue
        kept.append(person)
    return kept
