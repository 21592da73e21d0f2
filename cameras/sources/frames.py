"""Turning bytes into BGR frames, with the checks cameras make necessary."""

from __future__ import annotations

from typing import Literal, cast

import cv2
import numpy as np
from numpy.typing import NDArray

from .base import NotAnImage

MAX_IMAGE_BYTES = 20 * 1024 * 1024
# Checked from the header before any decode: a 746 KB PNG can declare 16000x16000 pixels and
# take 768 MB to decode. 8K UHD is far above any camera snapshot.
MAX_IMAGE_PIXELS = 7680 * 4320

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


def _png_size(data: bytes) -> tuple[int, int] | None:
    # Signature, then the IHDR chunk (length, type, width, height) always comes first.
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _bmp_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 26:
        return None
    header = int.from_bytes(data[14:18], "little")
    if header == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
        return int.from_bytes(data[18:20], "little"), int.from_bytes(data[20:22], "little")
    width = int.from_bytes(data[18:22], "little", signed=True)
    height = int.from_bytes(data[22:26], "little", signed=True)
    return abs(width), abs(height)


def _webp_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 30 or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 ":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(
            data[28:30], "little"
        ) & 0x3FFF
    return None


def _tiff_size(data: bytes) -> tuple[int, int] | None:
    order: Literal["little", "big"] = "little" if data[:2] == b"II" else "big"
    if len(data) < 8:
        return None
    offset = int.from_bytes(data[4:8], order)
    if offset + 2 > len(data):
        return None
    count = int.from_bytes(data[offset : offset + 2], order)
    size: dict[int, int] = {}
    for index in range(count):
        entry = offset + 2 + 12 * index
        if entry + 12 > len(data):
            return None
        tag = int.from_bytes(data[entry : entry + 2], order)
        kind = int.from_bytes(data[entry + 2 : entry + 4], order)
        if tag in (256, 257):
            width = 2 if kind == 3 else 4
            size[tag] = int.from_bytes(data[entry + 8 : entry + 8 + width], order)
    return (size[256], size[257]) if 256 in size and 257 in size else None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) as the image's header declares it, or None for a format (or a header)
    this module does not read; such bytes are never handed to a decoder."""
    if data.startswith(_SOI):
        return jpeg_size(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_size(data)
    if data.startswith(b"BM"):
        return _bmp_size(data)
    if data.startswith(b"RIFF"):
        return _webp_size(data)
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return _tiff_size(data)
    return None


def check_pixel_limit(size: tuple[int, int] | None, what: str) -> None:
    """Raise NotAnImage unless `size` is known, non-empty and within MAX_IMAGE_PIXELS."""
    if size is None:
        raise NotAnImage(f"{what}: not a JPEG, PNG, BMP, WebP or TIFF image")
    width, height = size
    if width <= 0 or height <= 0:
        raise NotAnImage(f"{what}: image header declares {width}x{height} pixels")
    if width * height > MAX_IMAGE_PIXELS:
        raise NotAnImage(
            f"{what}: image of {width}x{height} pixels exceeds the limit of "
            f"{MAX_IMAGE_PIXELS} pixels (not decoded)"
        )


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
    """Decode JPEG/PNG/BMP/WebP/TIFF bytes to a BGR uint8 array or raise NotAnImage.

    The header's declared size is checked against MAX_IMAGE_PIXELS before anything decodes.

    With `min_long_side`, a large JPEG is decoded at a reduced scale whose longer side is still
    at least that (see `_decode_flag`); 0 decodes at full size.
    A JPEG without its end marker is rejected: libjpeg would happily return a frame whose
    lower part is grey, and a half-grey frame must not be counted as an empty office.
    """
    if not data:
        raise NotAnImage(f"{what}: empty body")
    if data.startswith(_SOI) and _EOI not in data[-64:]:
        raise NotAnImage(f"{what}: truncated JPEG ({len(data)} bytes, no end marker)")
    check_pixel_limit(image_size(data), what)
    flag = _decode_flag(data, min_long_side)
    frame = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flag)
    if frame is None or frame.size == 0:
        head = data[:8].hex()
        raise NotAnImage(f"{what}: {len(data)} bytes that do not decode as an image ({head}…)")
    return cast(NDArray[np.uint8], frame)
