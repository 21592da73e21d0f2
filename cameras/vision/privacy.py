"""Evidence images: downscale, irreversibly blur faces and heads, then encode.

The raw frame never leaves memory: callers store only the JPEG returned here. No face
embedding or identity of any kind is computed.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from cameras.vision.detector import Box, Detection, PersonBox

HEAD_SHARE = 0.3  # top share of a person box blurred when the back-end gives no head box
HEAD_MARGIN = 0.35  # head and face boxes grow by this share on every side before blurring


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
    regions = [(x1, y1, x2, y1 + HEAD_SHARE * (y2 - y1))]
    if person.head is not None:
        head: Box = person.head
        regions.append(_grow(head.x, head.y, head.x2, head.y2, HEAD_MARGIN))
    return regions


def _pixelate_blur(image: np.ndarray, region: tuple[float, ...]) -> None:
    """Destroy detail in place: pixelate to ~6 blocks across, then a strong Gaussian blur."""
    height, width = image.shape[:2]
    x1 = int(np.clip(np.floor(region[0]), 0, width))
    y1 = int(np.clip(np.floor(region[1]), 0, height))
    x2 = int(np.clip(np.ceil(region[2]), 0, width))
    y2 = int(np.clip(np.ceil(region[3]), 0, height))
    if x2 - x1 < 2 or y2 - y1 < 2:
        return
    patch = image[y1:y2, x1:x2]
    blocks_x = max(1, min(6, (x2 - x1) // 4))
    blocks_y = max(1, min(6, (y2 - y1) // 4))
    tiny = cv2.resize(patch, (blocks_x, blocks_y), interpolation=cv2.INTER_AREA)
    coarse = cv2.resize(tiny, (x2 - x1, y2 - y1), interpolation=cv2.INTER_NEAREST)
    sigma = max(2.0, 0.15 * max(x2 - x1, y2 - y1))
    image[y1:y2, x1:x2] = cv2.GaussianBlur(coarse, (0, 0), sigma)


def blur_regions(frame: np.ndarray, regions: Iterable[tuple[float, ...]]) -> np.ndarray:
    """A copy of `frame` with every region pixelated and blurred (the input is untouched)."""
    image = frame.copy()
    for region in regions:
        _pixelate_blur(image, region)
    return image


def _downscale(image: np.ndarray, max_width: int) -> np.ndarray:
    height, width = image.shape[:2]
    if width <= max_width:
        return image
    new_h = max(1, round(height * max_width / width))
    return cv2.resize(image, (max_width, new_h), interpolation=cv2.INTER_AREA)


def blurred_copy(frame: np.ndarray, detection: Detection, *, full_body: bool = False) -> np.ndarray:
    """Full-resolution copy with faces and heads (or whole people) destroyed."""
    return blur_regions(frame, privacy_regions(detection, full_body=full_body))


def render_evidence(
    frame: np.ndarray,
    detection: Detection | None,
    *,
    max_width: int = 640,
    quality: int = 80,
    full_body: bool = False,
) -> bytes:
    """JPEG bytes of the evidence picture: blurred at full resolution, then downscaled.

    Blurring happens before downscaling and encoding so no readable face exists at any step.
    `detection` boxes are in `frame` pixels; None means nothing detected (still downscaled).
    `full_body=True` hides whole people (public cameras).
    """
    image = frame if detection is None else blurred_copy(frame, detection, full_body=full_body)
    image = _downscale(image, max_width)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("could not encode evidence JPEG")
    return encoded.tobytes()


def annotate(frame: np.ndarray, detection: Detection, *, full_body: bool = False) -> np.ndarray:
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
