"""Evidence images: downscale, irreversibly pixelate faces and heads, then encode.

The raw frame never leaves memory: callers store only the JPEG returned here. No face
embedding or identity of any kind is computed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from cameras.vision.detector import Box, Detection, PersonBox

HEAD_SHARE = 0.3  # top share of a person box blurred when the back-end gives no head box
HEAD_MARGIN = 0.35  # head and face boxes grow by this share on every side before blurring
_BLOCKS = 6  # at most this many pixelation blocks across a region, in each direction


def _grow(x1: float, y1: float, x2: float, y2: float, margin: float) -> tuple[float, ...]:
    dx = (x2 - x1) * margin
    dy = (y2 - y1) * margin
    return (x1 - dx, y1 - dy, x2 + dx, y2 + dy)


def privacy_regions(detection: Detection, *, full_body: bool = False) -> list[tuple[float, ...]]:
    """Regions (x1, y1, x2, y2, frame pixels) that must be unreadable in any stored image.

    Every face, and the head of every person (or the whole person with `full_body`).
    """
    regions: list[tuple[float, ...]] = []
    for face in detection.faces:
        regions.append(_grow(face.x, face.y, face.x2, face.y2, HEAD_MARGIN))
    for person in detection.people:
        regions.extend(_person_regions(person, full_body))
    return regions


def _person_regions(person: PersonBox, full_body: bool) -> list[tuple[float, ...]]:
    x1, y1, x2, y2 = person.x, person.y, person.x + person.w, person.y + person.h
    if full_body:
        return [_grow(x1, y1, x2, y2, 0.05)]
    regions: list[tuple[float, ...]] = [(x1, y1, x2, y1 + HEAD_SHARE * (y2 - y1))]
    if person.head is not None:
        head: Box = person.head
        regions.append(_grow(head.x, head.y, head.x2, head.y2, HEAD_MARGIN))
    return regions


def _pixelate_blur(image: NDArray[np.uint8], region: tuple[float, ...]) -> None:
    """Destroy detail in place: pixelate to at most 6 blocks across, then smooth the blocks.

    Only the region's pixels are touched. What survives is at most 6x6 block means, so no
    face can be recovered; the box filter (constant cost in its size) only hides the grid.
    """
    height, width = image.shape[:2]
    x1 = int(np.clip(np.floor(region[0]), 0, width))
    y1 = int(np.clip(np.floor(region[1]), 0, height))
    x2 = int(np.clip(np.ceil(region[2]), 0, width))
    y2 = int(np.clip(np.ceil(region[3]), 0, height))
    if x2 - x1 < 2 or y2 - y1 < 2:
        return
    patch = image[y1:y2, x1:x2]
    blocks_x = max(1, min(_BLOCKS, (x2 - x1) // 4))
    blocks_y = max(1, min(_BLOCKS, (y2 - y1) // 4))
    tiny = cv2.resize(patch, (blocks_x, blocks_y), interpolation=cv2.INTER_AREA)
    coarse = cv2.resize(tiny, (x2 - x1, y2 - y1), interpolation=cv2.INTER_NEAREST)
    kernel = (max(1, (x2 - x1) // (2 * blocks_x)) | 1, max(1, (y2 - y1) // (2 * blocks_y)) | 1)
    image[y1:y2, x1:x2] = cv2.blur(coarse, kernel, borderType=cv2.BORDER_REPLICATE)


def blur_regions(
    frame: NDArray[np.uint8], regions: Iterable[tuple[float, ...]]
) -> NDArray[np.uint8]:
    """A copy of `frame` with every region pixelated and blurred (the input is untouched)."""
    image = frame.copy()
    for region in regions:
        _pixelate_blur(image, region)
    return image


def _downscale(image: NDArray[np.uint8], max_width: int) -> tuple[NDArray[np.uint8], float]:
    """(image no wider than max_width, scale applied); a new array whenever it shrinks."""
    height, width = image.shape[:2]
    if width <= max_width:
        return image, 1.0
    new_h = max(1, round(height * max_width / width))
    # INTER_AREA is fast only at exact 2x steps: halve while possible, finish bilinearly.
    small = image
    while small.shape[1] // 2 >= max_width:
        small = cast(
            NDArray[np.uint8],
            cv2.resize(
                small, (small.shape[1] // 2, small.shape[0] // 2), interpolation=cv2.INTER_AREA
            ),
        )
    small = cast(
        NDArray[np.uint8], cv2.resize(small, (max_width, new_h), interpolation=cv2.INTER_LINEAR)
    )
    return small, max_width / width


def blurred_copy(
    frame: NDArray[np.uint8], detection: Detection, *, full_body: bool = False
) -> NDArray[np.uint8]:
    """Full-resolution copy with faces and heads (or whole people) destroyed."""
    return blur_regions(frame, privacy_regions(detection, full_body=full_body))


def render_evidence(
    frame: NDArray[np.uint8],
    detection: Detection | None,
    *,
    max_width: int = 640,
    quality: int = 80,
    full_body: bool = False,
) -> bytes:
    """JPEG bytes of the evidence picture: downscaled to `max_width`, regions destroyed, encoded.

    The frame is downscaled first (a private in-memory copy, never stored or returned) and
    the privacy regions, scaled to it, are pixelated there: it costs a few ms instead of
    blurring full-resolution regions, and the only image ever encoded is the blurred one.
    `detection` boxes are in `frame` pixels; None means nothing detected (still downscaled).
    `full_body=True` hides whole people (public cameras). `frame` is never modified.
    """
    image, scale = _downscale(frame, max_width)
    if detection is not None:
        regions = privacy_regions(detection, full_body=full_body)
        if regions:
            if image is frame:
                image = frame.copy()
            for region in regions:
                _pixelate_blur(image, tuple(value * scale for value in region))
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("could not encode evidence JPEG")
    return encoded.tobytes()


def annotate(
    frame: NDArray[np.uint8], detection: Detection, *, full_body: bool = False
) -> NDArray[np.uint8]:
    """Debug picture: the blurred copy with person (green) and face (yellow) boxes drawn."""
    image = blurred_copy(frame, detection, full_body=full_body)
    thickness = max(1, image.shape[1] // 400)
    for person in detection.people:
        cv2.rectangle(
            image,
            (person.x, person.y),
            (person.x + person.w, person.y + person.h),
            (0, 200, 0),
            thickness,
        )
        label = f"{person.source} {person.score:.2f}"
        cv2.putText(
            image,
            label,
            (person.x, max(10, person.y - 3)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.4 * thickness,
            (0, 200, 0),
            thickness,
        )
    for face in detection.faces:
        cv2.rectangle(image, (face.x, face.y), (face.x2, face.y2), (0, 220, 220), thickness)
    return image
