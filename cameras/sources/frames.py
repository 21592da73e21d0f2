"""Turning bytes into BGR frames, with the checks cameras make necessary."""

from __future__ import annotations

import cv2
import numpy as np

from .base import NotAnImage

MAX_IMAGE_BYTES = 20 * 1024 * 1024

_SOI = b"\xff\xd8"
_EOI = b"\xff\xd9"


def decode_image(data: bytes, what: str) -> np.ndarray:
    """Decode JPEG/PNG/BMP bytes to a BGR uint8 array or raise NotAnImage.

    A JPEG without its end marker is rejected: libjpeg would happily return a frame whose
    lower part is grey, and a half-grey frame must not be counted as an empty office.
    """
    if not data:
        raise NotAnImage(f"{what}: empty body")
    if data.startswith(_SOI) and _EOI not in data[-64:]:
        raise NotAnImage(f"{what}: truncated JPEG ({len(data)} bytes, no end marker)")
    frame = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if frame is None or frame.size == 0:
        head = data[:8].hex()
        raise NotAnImage(f"{what}: {len(data)} bytes that do not decode as an image ({head}…)")
    return frame
