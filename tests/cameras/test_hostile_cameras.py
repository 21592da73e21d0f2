"""The hostile-camera matrix: every capture ends within its deadline plus a small margin, with
the right typed error, and an image bomb is refused from its header without being decoded."""

import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cameras.sources import (
    CameraAddress,
    CameraUnreachable,
    CaptureError,
    CaptureTimeout,
    NotAnImage,
    capture_frame,
)
from tests.camservers.hostile_camera import HostileCamera, jpeg_bomb, png_bomb

logger = logging.getLogger(__name__)
DEADLINE_S = 5.0
MARGIN_S = 1.0
REPO = Path(__file__).resolve().parents[2]

CASES = [
    ("/hang-after-headers", "http", CaptureTimeout),
    ("/header-drip", "http", CaptureTimeout),
    ("/body-drip", "http", CaptureTimeout),
    ("/endless-body", "http", NotAnImage),
    ("/huge-length", "http", NotAnImage),
    ("/slow-redirect", "http", CaptureTimeout),
    ("/redirect-loop", "http", CameraUnreachable),
    ("/html", "https", CameraUnreachable),  # TLS to a server that does not speak it
    ("/bomb.png", "http", NotAnImage),
    ("/bomb.jpg", "http", NotAnImage),
    ("/html", "http", NotAnImage),
    ("/garbage", "http", NotAnImage),
    ("/mjpeg-drip", "http", CaptureTimeout),
]


@pytest.fixture(scope="module")
def hostile():
    png_bomb()  # built once before the clock runs (it takes a few seconds)
    server = HostileCamera().start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("path", "scheme", "expected"), CASES, ids=[f"{s}:{p}" for p, s, _ in CASES]
)
def test_a_hostile_camera_cannot_hold_a_check(hostile, path, scheme, expected):
    address = CameraAddress(hostile.url(path, scheme), timeout_s=DEADLINE_S)
    started = time.monotonic()
    with pytest.raises(CaptureError) as raised:
        capture_frame(address)
    seconds = time.monotonic() - started
    logger.info(
        "hostile %s:%s: %s after %.2f s", scheme, path, type(raised.value).__name__, seconds
    )
    assert isinstance(raised.value, expected), raised.value
    assert seconds <= DEADLINE_S + MARGIN_S


@pytest.mark.parametrize("bomb", ["png", "jpg"])
def test_an_image_bomb_in_a_file_is_refused_from_its_header(tmp_path, bomb):
    path = tmp_path / f"bomb.{bomb}"
    path.write_bytes(png_bomb() if bomb == "png" else jpeg_bomb())
    started = time.monotonic()
    with pytest.raises(NotAnImage, match="exceeds the limit"):
        capture_frame(CameraAddress(path.as_uri(), timeout_s=DEADLINE_S))
    assert time.monotonic() - started < 1.0


def test_the_png_bomb_is_the_one_of_the_report():
    data = png_bomb()
    assert 700_000 < len(data) < 800_000  # 746 KB declaring 16000 x 16000 pixels


MEASURE = """
import json, sys
from cameras.sources import CameraAddress, CaptureError, capture_frame

def peak_kib():
    # VmHWM starts afresh at exec; ru_maxrss would carry the parent's (pytest's) peak.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

before = peak_kib()
try:
    capture_frame(CameraAddress(sys.argv[1], timeout_s=5))
    outcome = "decoded"
except CaptureError as exc:
    outcome = type(exc).__name__
after = peak_kib()
print(json.dumps({"outcome": outcome, "before_mb": before / 1024, "after_mb": after / 1024}))
"""


def test_a_check_against_the_png_bomb_keeps_memory_bounded(hostile):
    """Peak RSS of a fresh process that captures the bomb (VmHWM, KiB on Linux)."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, hostile.url("/bomb.png")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    logger.info("png bomb RSS: %s", figures)
    assert figures["outcome"] == "NotAnImage"
    assert figures["after_mb"] - figures["before_mb"] < 50
    assert figures["after_mb"] < 500
