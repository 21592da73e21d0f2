"""A map that needs no internet: points projected onto a schematic of the region.

Positions are projected equirectangularly, with longitude shrunk by cos(latitude) so shapes
near the equator (Kendari, Konawe at about 4 degrees south) keep their proportions. Optional
real tiles use the standard Web Mercator ("slippy map") numbering.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class GeoPoint:
    key: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class MapPoint:
    key: str
    x: float
    y: float


@dataclass(frozen=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float


def bounds_of(points: Sequence[GeoPoint], margin: float = 0.08) -> Bounds:
    """The box around every point, grown by `margin` (share of its size, at least 0.01 deg)."""
    if not points:
        raise ValueError("no points")
    south = min(p.latitude for p in points)
    north = max(p.latitude for p in points)
    west = min(p.longitude for p in points)
    east = max(p.longitude for p in points)
    pad_lat = max((north - south) * margin, 0.01)
    pad_lon = max((east - west) * margin, 0.01)
    return Bounds(south - pad_lat, west - pad_lon, north + pad_lat, east + pad_lon)


def map_height(bounds: Bounds, width: float) -> float:
    """Height of a `width`-wide map of `bounds` that keeps ground proportions."""
    middle = math.radians((bounds.north + bounds.south) / 2)
    span_x = (bounds.east - bounds.west) * math.cos(middle)
    span_y = bounds.north - bounds.south
    return width * span_y / span_x


def project(points: Sequence[GeoPoint], bounds: Bounds, width: float) -> list[MapPoint]:
    """Points in map pixels (origin top left) for a `width`-wide map of `bounds`."""
    height = map_height(bounds, width)
    return [
        MapPoint(
            p.key,
            (p.longitude - bounds.west) / (bounds.east - bounds.west) * width,
            (bounds.north - p.latitude) / (bounds.north - bounds.south) * height,
        )
        for p in points
    ]


@dataclass(frozen=True)
class Tile:
    zoom: int
    x: int
    y: int


def tile_of(latitude: float, longitude: float, zoom: int) -> tuple[float, float]:
    """Fractional Web Mercator tile coordinates of a position."""
    n = 2**zoom
    lat = math.radians(latitude)
    x = (longitude + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(lat)) / math.pi) / 2.0 * n
    return x, y


def tiles_covering(bounds: Bounds, zoom: int, limit: int = 64) -> list[Tile]:
    """The tiles covering `bounds` at `zoom`; refuses more than `limit` (a slow phone link)."""
    x1, y1 = tile_of(bounds.north, bounds.west, zoom)
    x2, y2 = tile_of(bounds.south, bounds.east, zoom)
    xs = range(math.floor(x1), math.floor(x2) + 1)
    ys = range(math.floor(y1), math.floor(y2) + 1)
    if len(xs) * len(ys) > limit:
        raise ValueError(f"{len(xs) * len(ys)} tiles exceed the limit of {limit}")
    return [Tile(zoom, x, y) for y in ys for x in xs]


def best_zoom(bounds: Bounds, max_tiles: int = 16, max_zoom: int = 16) -> int:
    """The highest zoom at which `bounds` fits in at most `max_tiles` tiles."""
    for zoom in range(max_zoom, 0, -1):
        try:
            tiles_covering(bounds, zoom, limit=max_tiles)
        except ValueError:
            continue
        return zoom
    return 1


def labels_that_fit(
    placed: Sequence[tuple[MapPoint, str]], font_size: float, gap: float = 2.0
) -> set[str]:
    """Keys whose text label (centred above the point) overlaps no label kept before it.

    Greedy in the given order, so callers put the labels that matter most first. A dense
    cluster keeps a readable few; the others stay as dots with a tooltip.
    """
    kept: list[tuple[float, float, float, float]] = []
    keys: set[str] = set()
    for point, text in placed:
        half_width = len(text) * font_size * 0.3 + gap
        box = (
            point.x - half_width,
            point.y - font_size * 1.6 - gap,
            point.x + half_width,
            point.y - font_size * 0.4 + gap,
        )
        if any(
            box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]
            for other in kept
        ):
            continue
        kept.append(box)
        keys.add(point.key)
    return keys
