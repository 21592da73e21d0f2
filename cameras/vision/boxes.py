"""Small box helpers shared by the back-ends (numpy only, no models)."""

from __future__ import annotations

from typing import Any, cast

import cv2
import numpy as np
from numpy.typing import NDArray


def iou_one_to_many(
    box: NDArray[np.floating[Any]], boxes: NDArray[np.floating[Any]]
) -> NDArray[np.floating[Any]]:
    """IoU of one (x1, y1, x2, y2) box with each row of `boxes` (N, 4)."""
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[2], boxes[:, 2])
    y2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    result: NDArray[np.floating[Any]] = inter / (area + areas - inter + 1e-9)
    return result


def letterbox(image: NDArray[np.uint8], size: int) -> tuple[NDArray[np.uint8], float, int, int]:
    """Fit `image` into a black size x size square keeping its aspect.

    Returns (square, scale, pad_x, pad_y): square pixel = image pixel * scale + pad.
    """
    height, width = image.shape[:2]
    scale = size / max(height, width)
    new_w = max(1, round(width * scale))
    new_h = max(1, round(height * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
    pad_x = (size - new_w) // 2
    pad_y = (size - new_h) // 2
    square = np.zeros((size, size, 3), dtype=np.uint8)
    square[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = resized
    return square, scale, pad_x, pad_y


def resize_long_side(frame: NDArray[np.uint8], long_side: int) -> tuple[NDArray[np.uint8], float]:
    """Resize so the longer side is `long_side` px; returns (image, scale applied)."""
    height, width = frame.shape[:2]
    scale = long_side / max(height, width)
    if abs(scale - 1.0) < 1e-6:
        return frame, 1.0
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cast(NDArray[np.uint8], cv2.resize(frame, size, interpolation=interpolation)), scale


def clip_xyxy(box: NDArray[np.floating[Any]], width: int, height: int) -> NDArray[np.float32]:
    """Clip an (x1, y1, x2, y2) box to the frame."""
    out = np.asarray(box, dtype=np.float32).copy()
    out[[0, 2]] = np.clip(out[[0, 2]], 0, width)
    out[[1, 3]] = np.clip(out[[1, 3]], 0, height)
    return out
