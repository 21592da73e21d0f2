"""A fixed camera's empty scene and where a check's frames differ from it.

Every camera of this product is fixed and every check is a burst of frames about a second
apart. Two cheap signals say where a person can be:

* the difference against the camera's learned empty scene (a grey background at SCENE_WIDTH,
  learned only from checks judged empty and healthy, updated slowly so daylight and lamps
  follow), illumination-normalised so a lamp switched on or the sun going behind a cloud is
  no change;
* motion between the frames of the burst.

Both are masks on the small grey scene grid; their person-sized connected regions become the
candidates the detector zooms into (`cameras.vision.fixed_camera`). The state is a plain value
(`SceneState`) the caller stores (`scene_to_bytes`) and hands back; nothing is kept here.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from cameras.vision.detector import Box

SCENE_WIDTH = 160  # grey grid of the scene (about 4 working pixels per cell at 640)
# Share of a new empty check blended into the background: about 10 empty checks to follow a
# lasting change (furniture moved for good), slow enough that one odd check does not stick.
LEARN_RATE = 0.1
# Illumination normalisation: each image is divided by its own local mean (a Gaussian this
# share of the width), so a global or smooth change of light cancels out; a person, with
# edges and a colour of their own, does not.
LIGHT_SIGMA = 0.08
CHANGE_RATIO = 0.18  # |normalised frame - normalised background| that counts as changed ...
CHANGE_GREY = 14.0  # ... together with at least this many grey levels of absolute difference
SATURATED = 245.0  # grey level from which a cell is clipped by the sensor
MOTION_GREY = 14.0  # grey-level change between two burst frames (sensor noise is about 2)
MOTION_RATIO = 0.12  # ... together with this normalised change
# Person-sized: a region covers at least this share of the frame (a seated person far away
# in a 90-degree view is about 0.3 %); smaller blobs are noise, leaves, a hand on a desk edge.
MIN_REGION_AREA = 0.002
MAX_REGIONS = 4  # zoom into at most this many regions per frame (cost bound)

_MAGIC = b"KS1"
_HEADER = struct.Struct("<3sHHI")  # magic, width, height, frames learned


@dataclass(frozen=True)
class SceneState:
    """The camera's learned empty scene: a grey background (uint8, SCENE_WIDTH wide)."""

    background: NDArray[np.uint8]
    frames_learned: int

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.background.shape[0]), int(self.background.shape[1])


def scene_to_bytes(state: SceneState) -> bytes:
    """Compact form (a few kB) for Camera.scene_state."""
    height, width = state.shape
    header = _HEADER.pack(_MAGIC, width, height, min(state.frames_learned, 2**32 - 1))
    return header + zlib.compress(np.ascontiguousarray(state.background).tobytes(), 9)


def scene_from_bytes(data: bytes | memoryview | None) -> SceneState | None:
    """The state of `scene_to_bytes`; None for empty or unreadable data (learn again)."""
    if not data:
        return None
    raw = bytes(data)
    if len(raw) < _HEADER.size:
        return None
    magic, width, height, learned = _HEADER.unpack_from(raw)
    if magic != _MAGIC:
        return None
    try:
        pixels = zlib.decompress(raw[_HEADER.size :])
    except zlib.error:
        return None
    if len(pixels) != width * height:
        return None
    background = np.frombuffer(pixels, dtype=np.uint8).reshape(height, width).copy()
    return SceneState(background, int(learned))


def scene_grey(frame: NDArray[np.uint8]) -> NDArray[np.float32]:
    """The frame on the scene grid: grey, SCENE_WIDTH wide, lightly smoothed (float32)."""
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    height, width = grey.shape[:2]
    size = (SCENE_WIDTH, max(1, round(height * SCENE_WIDTH / width)))
    small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    return cast(NDArray[np.float32], cv2.GaussianBlur(small, (3, 3), 0))


def learn_scene(
    state: SceneState | None, greys: Sequence[NDArray[np.float32]], rate: float = LEARN_RATE
) -> SceneState:
    """The background after an empty, healthy check whose frames are `greys` (scene grid).

    A first check sets the background to the frames' median; later checks blend their median
    in at `rate`. A state of another grid size (the stream's aspect changed) is replaced.
    """
    if not greys:
        raise ValueError("learn_scene needs at least one frame")
    median = np.median(np.stack(greys), axis=0).astype(np.float32)
    if state is None or state.shape != median.shape:
        return SceneState(_to_uint8(median), 1)
    blended = (1.0 - rate) * state.background.astype(np.float32) + rate * median
    return SceneState(_to_uint8(blended), state.frames_learned + 1)


def _to_uint8(image: NDArray[np.float32]) -> NDArray[np.uint8]:
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def _normalised(grey: NDArray[np.float32]) -> NDArray[np.float32]:
    sigma = LIGHT_SIGMA * grey.shape[1]
    local = cv2.GaussianBlur(grey, (0, 0), sigma)
    return cast(NDArray[np.float32], grey / (local + 2.0))


def normalised(grey: NDArray[np.float32]) -> NDArray[np.float32]:
    """`grey` divided by its own local mean (see LIGHT_SIGMA): hand it to `change_mask` and
    `motion_mask` to compute it once per frame of a burst."""
    return _normalised(grey)


def change_mask(
    grey: NDArray[np.float32],
    state: SceneState | None,
    grey_normalised: NDArray[np.float32] | None = None,
) -> NDArray[np.bool_]:
    """Cells of `grey` that differ from the empty scene (all False without a background).
    `grey_normalised` is `normalised(grey)` when the caller already has it."""
    if state is None or state.shape != grey.shape:
        return np.zeros(grey.shape, dtype=bool)
    background = state.background.astype(np.float32)
    # Global gain first (auto exposure), then the local normalisation.
    gain = float(np.median(grey) + 1.0) / float(np.median(background) + 1.0)
    expected = background * gain
    absolute = np.abs(grey - expected)
    if grey_normalised is None:
        grey_normalised = _normalised(grey)
    ratio = np.abs(grey_normalised - _normalised(background))
    # A clipped highlight has lost its pattern to the light, not to a person.
    unclipped = (grey < SATURATED) & (expected < SATURATED)
    return _clean((absolute >= CHANGE_GREY) & (ratio >= CHANGE_RATIO) & unclipped)


def motion_mask(
    greys: Sequence[NDArray[np.float32]],
    index: int,
    greys_normalised: Sequence[NDArray[np.float32]] | None = None,
) -> NDArray[np.bool_]:
    """Cells where frame `index` of the burst differs from any other frame of it.
    `greys_normalised` is `[normalised(g) for g in greys]` when the caller already has it."""
    current = greys[index]
    moved = np.zeros(current.shape, dtype=bool)
    norms = greys_normalised
    for other_index, other in enumerate(greys):
        if other_index == index or other.shape != current.shape:
            continue
        if norms is None:
            norms = [_normalised(grey) for grey in greys]
        gain = float(np.median(current) + 1.0) / float(np.median(other) + 1.0)
        absolute = np.abs(current - other * gain)
        ratio = np.abs(norms[index] - norms[other_index])
        moved |= (absolute >= MOTION_GREY) & (ratio >= MOTION_RATIO)
    return _clean(moved)


def pair_motion_mask(
    greys: Sequence[NDArray[np.float32]],
    index: int,
    other_index: int,
    greys_normalised: Sequence[NDArray[np.float32]],
) -> NDArray[np.bool_]:
    """Cells where frame `index` of the burst differs from frame `other_index` (the same test
    as `motion_mask`, for one pair): where two frames look alike, what one of them shows
    there the other shows too."""
    current, other = greys[index], greys[other_index]
    if other.shape != current.shape:
        return np.zeros(current.shape, dtype=bool)
    gain = float(np.median(current) + 1.0) / float(np.median(other) + 1.0)
    absolute = np.abs(current - other * gain)
    ratio = np.abs(greys_normalised[index] - greys_normalised[other_index])
    return _clean((absolute >= MOTION_GREY) & (ratio >= MOTION_RATIO))


def _clean(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Drop isolated cells (noise, JPEG blocks), then close small gaps inside a figure."""
    opened = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    closed = cv2.dilate(opened, np.ones((5, 5), np.uint8))
    return cast(NDArray[np.bool_], np.asarray(closed).astype(bool))


def changed_regions(mask: NDArray[np.bool_], frame_shape: Sequence[int]) -> list[Box]:
    """Person-sized connected regions of `mask`, largest first, as boxes in frame pixels.

    `frame_shape` is (height, width, ...) of the frame the boxes are for. At most MAX_REGIONS.
    """
    height, width = int(frame_shape[0]), int(frame_shape[1])
    grid_h, grid_w = mask.shape
    count, _labels, stats, _centres = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    min_cells = MIN_REGION_AREA * grid_h * grid_w
    found = [
        (int(stats[i, cv2.CC_STAT_AREA]), stats[i])
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_AREA] >= min_cells
    ]
    found.sort(key=lambda item: -item[0])
    scale_x, scale_y = width / grid_w, height / grid_h
    boxes = []
    for area, stat in found[:MAX_REGIONS]:
        x, y = stat[cv2.CC_STAT_LEFT], stat[cv2.CC_STAT_TOP]
        w, h = stat[cv2.CC_STAT_WIDTH], stat[cv2.CC_STAT_HEIGHT]
        boxes.append(
            Box(
                round(x * scale_x),
                round(y * scale_y),
                max(1, round(w * scale_x)),
                max(1, round(h * scale_y)),
                score=area / (grid_h * grid_w),
            )
        )
    return boxes


def changed_share(mask: NDArray[np.bool_], box: Box, frame_shape: Sequence[int]) -> float:
    """Share (0..1) of `box` (frame pixels) whose scene cells are set in `mask`."""
    height, width = int(frame_shape[0]), int(frame_shape[1])
    grid_h, grid_w = mask.shape
    x1 = max(0, int(box.x * grid_w / width))
    y1 = max(0, int(box.y * grid_h / height))
    x2 = min(grid_w, max(x1 + 1, int(np.ceil(box.x2 * grid_w / width))))
    y2 = min(grid_h, max(y1 + 1, int(np.ceil(box.y2 * grid_h / height))))
    if x2 <= x1 or y2 <= y1:
        return 0.0
    return float(mask[y1:y2, x1:x2].mean())
