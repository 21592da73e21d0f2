"""OpenCV HOG pedestrian detector: the cheap fallback (no mediapipe, weak on seated people)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from cameras.vision.boxes import iou_one_to_many, resize_long_side
from cameras.vision.detector import Box, Detection, PersonBox

WORK_LONG_SIDE = 640


class HogDetector:
    """Upright full-body people (Dalal-Triggs HOG + linear SVM shipped with OpenCV).

    Works on the frame resized to WORK_LONG_SIDE; people shorter than about 128 px there are
    missed. `min_weight` is the SVM margin needed to count a window.
    """

    name = "hog"
    version = f"1+opencv{cv2.__version__}"

    def __init__(self, min_weight: float = 1.0) -> None:
        self.min_weight = min_weight
        self._hog: cv2.HOGDescriptor | None = None
        self._lock = threading.Lock()

    def detect(self, frame_bgr: NDArray[np.uint8]) -> Detection:
        """Count upright people in a BGR frame; boxes in the input frame's pixels."""
        if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3:
            raise ValueError("expected an HxWx3 BGR frame")
        work, scale = resize_long_side(frame_bgr, WORK_LONG_SIDE)
        with self._lock:
            if self._hog is None:
                cv2.setNumThreads(1)
                self._hog = cv2.HOGDescriptor()
                # The cv2 stubs lack this module-level alias of the static method.
                self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())  # type: ignore[attr-defined]
            rects, weights = self._hog.detectMultiScale(
                work, winStride=(8, 8), padding=(8, 8), scale=1.1
            )
        height, width = frame_bgr.shape[:2]
        people = []
        for x, y, w, h, weight in _suppress(rects, weights, self.min_weight):
            x1, y1 = x / scale, y / scale
            x2, y2 = min(width, (x + w) / scale), min(height, (y + h) / scale)
            head_h = (y2 - y1) * 0.2
            head = Box(
                round(x1 + (x2 - x1) * 0.3), round(y1), round((x2 - x1) * 0.4), round(head_h)
            )
            people.append(
                PersonBox(round(x1), round(y1), round(x2 - x1), round(y2 - y1), weight, "hog", head)
            )
        return Detection(people=tuple(people), faces=(), frame_shape=(height, width))


def _suppress(
    rects: Sequence[Sequence[int]] | NDArray[Any],
    weights: Sequence[float] | NDArray[Any],
    min_weight: float,
) -> list[tuple[int, int, int, int, float]]:
    """Drop weak windows and non-maximum suppress overlapping ones (IoU > 0.3 or nested)."""
    if len(rects) == 0:
        return []
    rects = np.asarray(rects, dtype=np.float32).reshape(-1, 4)
    weights = np.asarray(weights, dtype=np.float32).reshape(-1)
    keep = weights >= min_weight
    rects, weights = rects[keep], weights[keep]
    xyxy = np.concatenate([rects[:, :2], rects[:, :2] + rects[:, 2:]], axis=1)
    order = np.argsort(-weights)
    kept: list[int] = []
    for index in order:
        if kept:
            overlap = iou_one_to_many(xyxy[index], xyxy[kept])
            inside = _inside_share(xyxy[index], xyxy[kept])
            if (overlap > 0.3).any() or (inside > 0.7).any():
                continue
        kept.append(int(index))
    return [
        (int(rects[i, 0]), int(rects[i, 1]), int(rects[i, 2]), int(rects[i, 3]), float(weights[i]))
        for i in kept
    ]


def _inside_share(
    box: NDArray[np.floating[Any]], others: NDArray[np.floating[Any]]
) -> NDArray[np.floating[Any]]:
    x1 = np.maximum(box[0], others[:, 0])
    y1 = np.maximum(box[1], others[:, 1])
    x2 = np.minimum(box[2], others[:, 2])
    y2 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    share: NDArray[np.floating[Any]] = inter / ((box[2] - box[0]) * (box[3] - box[1]) + 1e-9)
    return share


def build_hog_detector() -> HogDetector:
    """Registry factory of the HOG detector."""
    return HogDetector()
