"""Frame health on the raw frame: dark, no detail (covered or out of focus), frozen, moved.

Signatures are plain strings the caller stores (Observation.frame_signature, at most 128 chars;
Camera.reference_signature, unbounded) and hands back on the next check. Nothing here keeps
state or touches disk.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

import cv2
import numpy as np
from numpy.typing import NDArray

from cameras.vision.detector import PersonBox

# Thresholds on the grey frame resized to ANALYSIS_WIDTH (so they do not depend on resolution).
ANALYSIS_WIDTH = 320
DARK_MEAN = 28.0  # mean grey level (0..255) below which the frame is dark ...
DARK_P99 = 90.0  # ... unless some part of it is clearly lit
NO_DETAIL_LAPLACIAN = 12.0  # variance of the Laplacian
NO_DETAIL_EDGES = 0.004  # share of Canny edge pixels
MOVED_SIMILARITY = 0.5  # edge-map correlation with the reference view below which ...
MOVED_SHIFT = 0.015  # ... or a global shift (fraction of width) above which the camera moved
REFERENCE_SIZE = (256, 144)  # width, height of the stored reference view

_THUMB = (12, 8)
_HASH_SIZE = (160, 90)
_FRAME_PREFIX = "f1:"
_REFERENCE_PREFIX = "r1:"

STATUSES = ("ok", "dark", "no_detail", "frozen", "moved")


@dataclass(frozen=True)
class FrameHealth:
    """Health of one raw frame. `status` is one of STATUSES; only "ok" frames are counted.

    brightness: mean grey 0..255; contrast: grey standard deviation; sharpness: variance of
    the Laplacian; edge_density: share of edge pixels; reference_similarity: correlation of
    edge maps with the reference view (None without reference); shift: global shift from
    the reference as a fraction of the width (None without reference); signature: store it
    and pass it back as `previous_signature` next time.
    """

    status: str
    brightness: float
    contrast: float
    sharpness: float
    edge_density: float
    signature: str
    reference_similarity: float | None = None
    shift: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values (rounded) for Observation.health."""
        values = asdict(self)
        return {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in values.items()
        }


def _grey(frame: NDArray[np.uint8]) -> NDArray[np.uint8]:
    if frame.ndim == 2:
        return frame
    if frame.shape[2] == 4:
        return cast(NDArray[np.uint8], cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY))
    return cast(NDArray[np.uint8], cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))


def _shrink_for_analysis(grey: NDArray[np.uint8]) -> NDArray[np.uint8]:
    height, width = grey.shape
    new_h = max(1, round(height * ANALYSIS_WIDTH / width))
    return cast(
        NDArray[np.uint8], cv2.resize(grey, (ANALYSIS_WIDTH, new_h), interpolation=cv2.INTER_AREA)
    )


def frame_signature(frame: NDArray[np.uint8]) -> str:
    """Compact signature (116 chars) of a frame: exact-content hash + 12x8 grey thumbnail.

    Two signatures are equal only for the same picture: live cameras always differ by sensor
    noise, a frozen stream repeats the very same frame.
    """
    return _signature_of_grey(_grey(frame))


def _signature_of_grey(grey: NDArray[np.uint8]) -> str:
    small = cv2.resize(grey, _HASH_SIZE, interpolation=cv2.INTER_AREA)
    digest = hashlib.blake2b(small.tobytes(), digest_size=8).hexdigest()
    # From the hash image, not the frame: area-averaging a full HD frame straight down to
    # 12x8 costs over 1 ms, a third of the whole health check.
    thumb = cv2.resize(small, _THUMB, interpolation=cv2.INTER_AREA) // 16
    return f"{_FRAME_PREFIX}{digest}:{''.join(f'{int(v):x}' for v in thumb.ravel())}"


def is_same_frame(signature: str, other: str) -> bool:
    """True when both signatures are valid and describe the same picture (frozen stream)."""
    return bool(signature) and signature.startswith(_FRAME_PREFIX) and signature == other


def build_reference(frames: Iterable[NDArray[np.uint8]]) -> str:
    """Reference view of a camera: per-pixel median of empty-scene frames, as a string.

    Give a few frames of the empty office (different times of day help). Used to detect a
    moved camera and to drop static look-alikes (posters, standees) via
    `reject_static_false_people`.
    """
    stack = [
        cv2.resize(_grey(frame), REFERENCE_SIZE, interpolation=cv2.INTER_AREA) for frame in frames
    ]
    if not stack:
        raise ValueError("build_reference needs at least one frame")
    median = np.median(np.stack(stack), axis=0).astype(np.uint8)
    payload = base64.b64encode(zlib.compress(median.tobytes(), 9)).decode("ascii")
    return f"{_REFERENCE_PREFIX}{REFERENCE_SIZE[0]}x{REFERENCE_SIZE[1]}:{payload}"


def decode_reference(reference: str) -> NDArray[np.uint8]:
    """The grey reference image (REFERENCE_SIZE) of a `build_reference` string."""
    if not reference.startswith(_REFERENCE_PREFIX):
        raise ValueError("not a reference view signature")
    size, _, payload = reference[len(_REFERENCE_PREFIX) :].partition(":")
    width, height = (int(v) for v in size.split("x"))
    data = zlib.decompress(base64.b64decode(payload))
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width)


def _edge_map(grey: NDArray[np.uint8]) -> NDArray[np.float32]:
    blurred = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), 1.0)
    gx = cv2.Sobel(blurred, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(blurred, cv2.CV_32F, 0, 1)
    magnitude = cv2.magnitude(gx, gy)
    # Square root damps strong edges so one bright object does not dominate the correlation.
    result: NDArray[np.float32] = np.sqrt(magnitude)
    return result


def _zncc(a: NDArray[np.floating[Any]], b: NDArray[np.floating[Any]]) -> float:
    a = a - a.mean()
    b = b - b.mean()
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    if denominator < 1e-6:
        return 0.0
    return float((a * b).sum() / denominator)


def compare_to_reference(frame: NDArray[np.uint8], reference: str) -> tuple[float, float]:
    """(edge-map similarity -1..1, global shift as a fraction of width) against a reference.

    Edges survive lighting changes; people cover only part of the view, so the similarity of
    a fixed camera stays high while a turned camera loses it or shows a clear shift.
    """
    ref = decode_reference(reference)
    current = cast(
        NDArray[np.uint8],
        cv2.resize(_grey(frame), (ref.shape[1], ref.shape[0]), interpolation=cv2.INTER_AREA),
    )
    edges_now = _edge_map(current)
    edges_ref = _edge_map(ref)
    similarity = _zncc(edges_now, edges_ref)
    window = cv2.createHanningWindow((ref.shape[1], ref.shape[0]), cv2.CV_32F)
    (dx, dy), response = cv2.phaseCorrelate(edges_ref, edges_now, window)
    shift = float(np.hypot(dx, dy)) / ref.shape[1] if response > 0.05 else 0.0
    return similarity, shift


def assess_frame_health(
    frame: NDArray[np.uint8],
    previous_signature: str = "",
    reference_signature: str = "",
) -> FrameHealth:
    """Judge one raw frame; first failing check wins: dark, no_detail, frozen, moved, ok.

    `previous_signature` is the `signature` of this camera's previous check (frozen stream);
    `reference_signature` comes from `build_reference` (moved camera). Either may be empty.
    """
    full_grey = _grey(frame)
    grey = _shrink_for_analysis(full_grey)
    brightness = float(grey.mean())
    contrast = float(grey.std())
    sharpness = float(cv2.Laplacian(grey, cv2.CV_64F).var())
    edges = cv2.Canny(grey, 50, 150)
    edge_density = float(np.count_nonzero(edges)) / edges.size
    signature = _signature_of_grey(full_grey)
    similarity: float | None = None
    shift: float | None = None
    if reference_signature.startswith(_REFERENCE_PREFIX):
        similarity, shift = compare_to_reference(frame, reference_signature)

    if brightness < DARK_MEAN and float(np.percentile(grey, 99)) < DARK_P99:
        status = "dark"
    elif sharpness < NO_DETAIL_LAPLACIAN and edge_density < NO_DETAIL_EDGES:
        status = "no_detail"
    elif is_same_frame(signature, previous_signature):
        status = "frozen"
    elif similarity is not None and (
        similarity < MOVED_SIMILARITY or (shift is not None and shift > MOVED_SHIFT)
    ):
        status = "moved"
    else:
        status = "ok"
    return FrameHealth(
        status=status,
        brightness=brightness,
        contrast=contrast,
        sharpness=sharpness,
        edge_density=edge_density,
        signature=signature,
        reference_similarity=similarity,
        shift=shift,
    )


def reject_static_false_people(
    people: Sequence[PersonBox],
    frame: NDArray[np.uint8],
    reference: str,
    min_similarity: float = 0.8,
) -> list[PersonBox]:
    """Drop people whose box looks the same as in the empty reference view.

    A poster, standee or a figure on a screen is in the empty reference too: its box content
    correlates with the reference (edges, `min_similarity`) and keeps its brightness. A real
    person changes the box. Boxes are in `frame` pixels; pure, keeps input order.
    """
    if not reference:
        return list(people)
    ref = decode_reference(reference)
    ref_h, ref_w = ref.shape
    current = cast(
        NDArray[np.uint8], cv2.resize(_grey(frame), (ref_w, ref_h), interpolation=cv2.INTER_AREA)
    )
    edges_now = _edge_map(current)
    edges_ref = _edge_map(ref)
    scale_x = ref_w / frame.shape[1]
    scale_y = ref_h / frame.shape[0]
    kept = []
    for person in people:
        x1 = max(0, int(person.x * scale_x))
        y1 = max(0, int(person.y * scale_y))
        x2 = min(ref_w, int(np.ceil((person.x + person.w) * scale_x)))
        y2 = min(ref_h, int(np.ceil((person.y + person.h) * scale_y)))
        if x2 - x1 < 3 or y2 - y1 < 3:
            kept.append(person)
            continue
        similarity = _zncc(edges_now[y1:y2, x1:x2], edges_ref[y1:y2, x1:x2])
        level_change = abs(float(current[y1:y2, x1:x2].mean()) - float(ref[y1:y2, x1:x2].mean()))
        if similarity >= min_similarity and level_change < 25.0:
            continue
        kept.append(person)
    return kept
