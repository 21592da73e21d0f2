"""Incremental parser for MJPEG over HTTP (multipart/x-mixed-replace).

Parsing is done here, chunk by chunk, rather than by FFmpeg so that the capture deadline is
checked between every network read and a half-sent part can never block past it.
"""

from __future__ import annotations

import re

from .base import NotAnImage
from .frames import MAX_IMAGE_BYTES

_SOI = b"\xff\xd8"
_EOI = b"\xff\xd9"
_HEADER_END = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length\s*:\s*(\d+)\s*$")
_BOUNDARY = re.compile(r"(?i)boundary\s*=\s*\"?([^\";]+)\"?")


def boundary_from_content_type(content_type: str) -> bytes | None:
    """The multipart boundary token, without the '--' some cameras wrongly include."""
    match = _BOUNDARY.search(content_type)
    if not match:
        return None
    token = match.group(1).strip()
    # Several cameras declare "boundary=--myboundary" and then write "--myboundary" lines;
    # searching for the bare token matches both spellings.
    return token.lstrip("-").encode("latin-1") or None


class MultipartJpegParser:
    """Feed raw body bytes; get back the complete part bodies (normally JPEGs).

    With a boundary, each part uses its Content-Length when present, otherwise it runs up to
    the next boundary. Without one, frames are cut at SOI/EOI markers.
    """

    def __init__(self, boundary: bytes | None, max_part_bytes: int = MAX_IMAGE_BYTES) -> None:
        self.boundary = boundary
        self.max_part_bytes = max_part_bytes
        self._buf = bytearray()
        # How far the search for the current part's end already got, so that small chunks do
        # not rescan the whole part each time (quadratic on a slow link).
        self._scanned = 0

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        parts: list[bytes] = []
        while True:
            part = self._next_part()
            if part is None:
                break
            parts.append(part)
        if len(self._buf) > self.max_part_bytes + 64 * 1024:
            raise NotAnImage(f"MJPEG part larger than {self.max_part_bytes} bytes")
        return parts

    def _next_part(self) -> bytes | None:
        if self.boundary is None:
            return self._next_by_markers()
        buf = self._buf
        start = buf.find(self.boundary)
        if start < 0:
            return None
        line_end = buf.find(b"\n", start)
        if line_end < 0:
            return None
        header_end = buf.find(_HEADER_END, line_end - 1)
        if header_end < 0:
            return None
        headers = bytes(buf[line_end + 1 : header_end])
        body_start = header_end + len(_HEADER_END)
        length_match = _CONTENT_LENGTH.search(headers)
        if length_match:
            length = int(length_match.group(1))
            if length > self.max_part_bytes:
                raise NotAnImage(f"MJPEG part announces {length} bytes")
            if len(buf) < body_start + length:
                return None
            body = bytes(buf[body_start : body_start + length])
            del buf[: body_start + length]
            return body
        next_boundary = buf.find(self.boundary, self._resume(body_start, len(self.boundary)))
        if next_boundary < 0:
            self._scanned = len(buf)
            return None
        body = bytes(buf[body_start:next_boundary]).rstrip(b"-").rstrip(b"\r\n")
        del buf[:next_boundary]
        self._scanned = 0
        return body

    def _resume(self, start: int, token_length: int) -> int:
        return max(start, self._scanned - token_length + 1)

    def _next_by_markers(self) -> bytes | None:
        buf = self._buf
        start = buf.find(_SOI)
        if start < 0:
            # Keep a possible half marker at the end of the buffer.
            del buf[: max(len(buf) - 1, 0)]
            self._scanned = 0
            return None
        end = buf.find(_EOI, self._resume(start + 2, len(_EOI)))
        if end < 0:
            self._scanned = len(buf)
            return None
        body = bytes(buf[start : end + 2])
        del buf[: end + 2]
        self._scanned = 0
        return body
