"""Sensor noise as a real camera adds it: Gaussian grain, then a JPEG round trip.

Used to measure detection the way live cameras deliver frames (`evaluate_detector --noise`) and
to keep replayed frames from being exact repeats (an exact repeat is a frozen camera by the
frame-health rule). The random generator is passed in, so a run with a fixed seed repeats.
"""

from __future__ import annotations

import zlib

import cv2
import numpy as np
from numpy.typing import NDArray

JPEG_QUALITY = 90


def add_sensor_noise(
    frame: NDArray[np.uint8], sigma: float, rng: np.random.Generator, quality: int = JPEG_QUALITY
) -> NDArray[np.uint8]:
    """`frame` (BGR uint8) with Gaussian noise of `sigma` grey levels and a JPEG round trip.

    `sigma` <= 0 returns the frame unchanged (no round trip). The input is never modified.
    """
    if sigma <= 0:
        return frame
    noisy = frame.astype(np.float32) + rng.normal(0.0, sigma, frame.shape).astype(np.float32)
    clipped = np.clip(noisy, 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", clipped, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding of the noisy frame failed")
    decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    if decoded is None:
        raise ValueError("JPEG decoding of the noisy frame failed")
    return np.asarray(decoded, dtype=np.uint8)


def noise_seed(name: str, salt: int = 0) -> int:
    """A stable seed for one file (or frame name), the same on every run and machine."""
    return zlib.crc32(name.encode("utf-8")) ^ salt
