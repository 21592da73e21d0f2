"""Fixtures that start real camera servers on 127.0.0.1 (no mocks): HTTP, RTSP, raw stalls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cameras.sources.http_snapshot import forget_challenges
from tests.camservers.http_camera import FakeHttpCamera, shared_frames, start_http_camera
from tests.camservers.rtsp_camera import RtspCamera, gstreamer_available, start_rtsp_camera
from tests.camservers.stall_server import StallServer


@pytest.fixture(autouse=True)
def no_remembered_challenges() -> Iterator[None]:
    """Each test starts its camera conversations with a fresh auth handshake."""
    forget_challenges()
    yield
    forget_challenges()


@pytest.fixture(scope="session")
def frame_paths() -> list[Path]:
    """The shared real photographs, read in place."""
    paths = shared_frames()
    if len(paths) < 4:
        pytest.fail("the shared photographs (../shared/frames or $KM_FRAMES_DIR) are missing")
    return paths


@pytest.fixture(scope="session")
def http_camera(frame_paths: list[Path]) -> Iterator[FakeHttpCamera]:
    """Fake Hikvision/Dahua/basic/MJPEG camera serving 1280x720 frames; user admin/secret123."""
    camera = start_http_camera(frame_paths[:6], size=(1280, 720), drip_interval_s=1.0)
    yield camera
    camera.stop()


@pytest.fixture(scope="session")
def _gstreamer() -> None:
    if not gstreamer_available():
        # A missing RTSP server must fail, not hide: make test installs it (system-deps.sh).
        pytest.fail("/usr/bin/python3 with gir1.2-gst-rtsp-server-1.0 is not installed")


@pytest.fixture(scope="session")
def rtsp_camera(_gstreamer: None, frame_paths: list[Path]) -> Iterator[RtspCamera]:
    """gst-rtsp-server subprocess, digest auth admin/secret123, 640x360 H.264 at 15 fps."""
    camera = start_rtsp_camera(frame_paths[:4], auth="digest")
    yield camera
    camera.stop()


@pytest.fixture(scope="session")
def rtsp_camera_basic(_gstreamer: None, frame_paths: list[Path]) -> Iterator[RtspCamera]:
    """Same as rtsp_camera but with Basic auth."""
    camera = start_rtsp_camera(frame_paths[:4], auth="basic")
    yield camera
    camera.stop()


@pytest.fixture
def silent_server() -> Iterator[StallServer]:
    """Accepts TCP connections and never sends a byte."""
    server = StallServer().start()
    yield server
    server.stop()


@pytest.fixture
def stalling_rtsp_server() -> Iterator[StallServer]:
    """Answers the first RTSP DESCRIBE with 200, then leaves every later connection silent."""
    server = StallServer(answer_first_describe=True).start()
    yield server
    server.stop()
