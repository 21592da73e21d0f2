"""Camera frame sources, dispatched by URL scheme. Imports no Django.

Public API::

    capture_frame(address, *, at=None, zone=None) -> np.ndarray           # BGR uint8
    capture_burst(address, frames=3, interval_s=1.0, *, at=None, zone=None) -> list[np.ndarray]

Schemes: rtsp://, http(s):// (snapshot or MJPEG, told apart by Content-Type), file://, replay:.
Every failure is a `CaptureError` subclass whose `code` is the no-data reason; messages carry
redacted URLs only. `address.timeout_s` is a hard wall-clock deadline for one frame; a burst
gets `timeout_s + (frames - 1) * interval_s`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

import cv2
import numpy as np
from numpy.typing import NDArray

from .base import (
    AuthFailed,
    CameraAddress,
    CameraUnreachable,
    CaptureError,
    CaptureTimeout,
    Deadline,
    NotAnImage,
    StreamEnded,
    abandoned_worker_count,
    redact_url,
    scrub,
)
from .file import capture_file
from .frames import jpeg_size
from .http_snapshot import capture_http
from .replay import capture_replay, pick_replay_frame
from .rtsp import capture_rtsp

__all__ = [
    "AuthFailed",
    "CameraAddress",
    "CameraUnreachable",
    "CaptureError",
    "CaptureTimeout",
    "NotAnImage",
    "StreamEnded",
    "abandoned_worker_count",
    "capture_burst",
    "capture_frame",
    "jpeg_size",
    "pick_replay_frame",
    "redact_url",
]

_Source = Callable[[CameraAddress, Deadline, int, float], list[NDArray[np.uint8]]]
_SOURCES: dict[str, _Source] = {
    "rtsp": capture_rtsp,
    "http": capture_http,
    "https": capture_http,
    "file": capture_file,
}


def capture_frame(
    address: CameraAddress, *, at: datetime | None = None, zone: tzinfo | None = None
) -> NDArray[np.uint8]:
    """One BGR uint8 frame, within `address.timeout_s` seconds, or a CaptureError.

    `at` (aware) and `zone` are used only by replay: sources, which show the frame of that
    local time; other sources capture now.
    """
    return capture_burst(address, frames=1, interval_s=0.0, at=at, zone=zone)[0]


def capture_burst(
    address: CameraAddress,
    frames: int = 3,
    interval_s: float = 1.0,
    *,
    at: datetime | None = None,
    zone: tzinfo | None = None,
) -> list[NDArray[np.uint8]]:
    """`frames` BGR frames about `interval_s` apart (one connection for streams, one request per
    frame for snapshots), within `timeout_s + (frames - 1) * interval_s` seconds."""
    if frames < 1 or interval_s < 0 or address.timeout_s <= 0:
        raise ValueError("need frames >= 1, interval_s >= 0 and timeout_s > 0")
    deadline = Deadline(address.timeout_s + (frames - 1) * interval_s)
    scheme = address.scheme
    if scheme in ("file", "replay") and not address.local_sources:
        raise CameraUnreachable(
            "file:// and replay: sources are disabled in this deployment: "
            f"{redact_url(address.url)}"
        )
    try:
        if scheme == "replay":
            return capture_replay(address, deadline, frames, interval_s, at, zone)
        source = _SOURCES.get(scheme)
        if source is None:
            raise CameraUnreachable(
                f"unsupported camera URL scheme {scheme!r}: {redact_url(address.url)}"
            )
        return source(address, deadline, frames, interval_s)
    except CaptureError as exc:
        # Last line of defence: no message may carry the password, even if a library echoed it.
        message = scrub(str(exc), address.secrets())
        if message != str(exc):
            raise type(exc)(message) from None
        raise
    except cv2.error:
        raise NotAnImage(f"{redact_url(address.url)}: OpenCV could not decode the frame") from None
    except OSError as exc:
        raise CameraUnreachable(
            f"{redact_url(address.url)}: {exc.strerror or type(exc).__name__}"
        ) from None
