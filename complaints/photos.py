"""Citizen photos: accept only real JPEG/PNG images and re-encode them without metadata.

The upload is never stored as sent: it is decoded to pixels and written again as a fresh JPEG,
which drops EXIF (GPS, camera serial), comments and anything appended to the file.
"""

from __future__ import annotations

import struct

import cv2
import numpy as np

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 5 MB PNG can inflate to gigabytes: refuse before decoding
MAX_SIDE = 1600
JPEG_QUALITY = 82

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class PhotoRejected(ValueError):
    """The upload is not an acceptable photo; ``code`` names the reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sniff_format(data: bytes) -> str | None:
    """ "jpeg" or "png" from the magic bytes, else None (the file name and MIME type lie)."""
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    length = len(data)
    while index + 4 <= length:
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:
            index += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            index += 2
            continue
        segment = struct.unpack(">H", data[index + 2 : index + 4])[0]
        if marker in _SOF_MARKERS:
            if index + 9 > length:
                return None
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + segment
    return None


def clean_photo(data: bytes) -> bytes:
    """Validate ``data`` and return a metadata-free JPEG (longest side at most 1600 px).

    Raises PhotoRejected with code "too_large", "format", "dimensions" or "undecodable".
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRejected("too_large")
    kind = sniff_format(data)
    if kind is None:
        raise PhotoRejected("format")
    size = _png_size(data) if kind == "png" else _jpeg_size(data)
    if size is None:
        raise PhotoRejected("undecodable")
    width, height = size
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise PhotoRejected("dimensions")
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        raise PhotoRejected("undecodable")
    longest = max(image.shape[:2])
    if longest > MAX_SIDE:
        scale = MAX_SIDE / longest
        image = cv2.resize(
            image,
            (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale))),
            interpolation=cv2.INTER_AREA,
        )
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise PhotoRejected("undecodable")
    return encoded.tobytes()
