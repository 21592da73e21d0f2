"""file:// sources: a still image (returned for every frame of a burst) or a video file."""

from __future__ import annotations

from pathlib import Path
from typing import cast
from urllib.parse import unquote, urlsplit

import cv2
import numpy as np
from numpy.typing import NDArray

from .base import (
    CameraAddress,
    CameraUnreachable,
    Deadline,
    NotAnImage,
    StreamEnded,
    run_with_deadline,
)
from .frames import MAX_IMAGE_BYTES, decode_image
from .rtsp import check_video_size, open_video_capture

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


def path_from_file_url(url: str) -> Path:
    """`file:///abs/path` (or `file:/abs/path`) to a Path; percent-escapes decoded."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise CameraUnreachable(f"file URL with a remote host is not supported: {parts.netloc}")
    return Path(unquote(parts.path))


def read_image_file(path: Path, min_long_side: int = 0) -> NDArray[np.uint8]:
    """Decode an image file to BGR (size-bounded; works for non-ASCII paths, unlike imread).

    `min_long_side` as in `decode_image`."""
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise NotAnImage(f"{path.name}: {size} bytes exceeds the image size limit")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CameraUnreachable(f"no such file: {path}") from None
    except OSError as exc:
        raise CameraUnreachable(f"cannot read {path}: {exc.strerror}") from None
    return decode_image(data, path.name, min_long_side)


def _read_video(
    path: Path, deadline: Deadline, frames: int, interval_s: float
) -> list[NDArray[np.uint8]]:
    capture = open_video_capture(str(path), deadline)
    try:
        if not capture.isOpened():
            raise NotAnImage(f"{path.name}: not a readable image or video")
        check_video_size(capture, path.name)
        fps = capture.get(cv2.CAP_PROP_FPS)  # 0 when the container does not say
        step = max(1, round(interval_s * fps)) if fps and fps > 0 else 1
        taken: list[NDArray[np.uint8]] = []
        while len(taken) < frames:
            if taken:
                for _ in range(step - 1):
                    deadline.check(f"{path.name}: seeking")
                    if not capture.grab():
                        raise StreamEnded(f"{path.name}: video ended after {len(taken)} frames")
            ok, frame = capture.read()
            if not ok or frame is None:
                raise StreamEnded(f"{path.name}: video ended after {len(taken)} frames")
            taken.append(cast(NDArray[np.uint8], frame))
        return taken
    finally:
        capture.release()


def capture_file(
    address: CameraAddress, deadline: Deadline, frames: int, interval_s: float
) -> list[NDArray[np.uint8]]:
    """Frames from a local file. Images repeat; videos step `interval_s * fps` frames apart."""
    path = path_from_file_url(address.url)
    if not path.exists():
        raise CameraUnreachable(f"no such file: {path}")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        frame = read_image_file(path, address.min_long_side)
        return [frame.copy() for _ in range(frames)]
    return run_with_deadline(
        lambda: _read_video(path, deadline, frames, interval_s), deadline, path.name
    )
