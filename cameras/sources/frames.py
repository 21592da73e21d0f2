"""Turning bytes into BGR frames, with the checks cameras make necessary."""

from __future__ import annotations

from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from .base import NotAnImage

MAX_IMAGE_BYTES = 20 * 1024 * 1024

_SOI = b"\xff\xd8"
_EOI = b"\xff\xd9"


# Start-of-frame markers (baseline, progressive, lossless...), which carry the image size.
_SOF_MARKERS = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)
_REDUCED = (
    (8, cv2.IMREAD_REDUCED_COLOR_8),
    (4, cv2.IMREAD_REDUCED_COLOR_4),
    (2, cv2.IMREAD_REDUCED_COLOR_2),
)


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's start-of-frame header, or None when there is none."""
    if not data.startswith(_SOI):
        return None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        if marker in _SOF_MARKERS:
            if position + 9 > len(data):
                return None
            height = int.from_bytes(data[position + 5 : position + 7], "big")
            width = int.from_bytes(data[position + 7 : position + 9], "big")
            return (width, height) if width and height else None
        if length < 2:
            return None
        position += 2 + length
    return None


def _decode_flag(data: bytes, min_long_side: int) -> int:
    """The cheapest libjpeg scale (1/8, 1/4, 1/2) that keeps the longer side >= min_long_side.

    libjpeg scales in the DCT domain while decoding: a 1280x720 frame read at 1/2 costs about
    half a full decode, and nothing downstream would use the extra pixels.
    """
    size = jpeg_size(data) if min_long_side > 0 else None
    if size is None:
        return cv2.IMREAD_COLOR
    long_side = max(size)
    for factor, flag in _REDUCED:
        if -(-long_side // factor) >= min_long_side:
            return flag
    return cv2.IMREAD_COLOR


def decode_image(data: bytes, what: str, min_long_side: int = 0) -> NDArray[np.uint8]:
    """Decode JPEG/PNG/BMP bytes to a BGR uint8 array or raise NotAnImage.

    With `min_long_side`, a large JPEG is decoded at a reduced scale whose longer side is still
    at least that (see `_decode_flag`); 0 decodes at full size.
    A JPEG without its end marker is rejected: libjpeg would happily return a frame whose
    lower part is grey, and a half-grey frame must not be counted as an empty office.
    """
    if not data:
        raise NotAnImage(f"{what}: empty body")
    if data.startswith(_SOI) and _EOI not in data[-64:]:
        raise NotAnImage(f"{what}: truncated JPEG ({len(data)} bytes, no end marker)")
    flag = _decode_flag(data, min_long_side)
    frame = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flag)
    if frame is None or frame.size == 0:
        head = data[:8].hex()
        raise NotAnImage(f"{what}: {len(data)} bytes that do not decode as an image ({head}…)")
    return cast(NDArray[np.uint8], frame)
