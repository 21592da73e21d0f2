"""cameras.sources against real servers on 127.0.0.1 (HTTP, MJPEG, RTSP, raw stalls) and files.

Pure tests: no database, no Django. Run alone with
`.venv/bin/python -m pytest -p no:django tests/cameras/test_sources.py`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pytest

from cameras.sources import (
    AuthFailed,
    CameraAddress,
    CameraUnreachable,
    CaptureError,
    CaptureTimeout,
    NotAnImage,
    StreamEnded,
    abandoned_worker_count,
    capture_burst,
    capture_frame,
    pick_replay_frame,
    redact_url,
)
from cameras.sources.base import needs_resolver
from cameras.sources.mjpeg import MultipartJpegParser, boundary_from_content_type
from tests.camservers.http_camera import (
    BASIC_PATH,
    DAHUA_PATH,
    DEFAULT_PASSWORD,
    DRIP_PATH,
    ERROR_PATH,
    GARBAGE_PATH,
    HALF_PATH,
    HANG_PATH,
    HIKVISION_PATH,
    HTML_PATH,
    HUGE_PATH,
    MJPEG_NO_LENGTH_PATH,
    MJPEG_PATH,
    OPEN_PATH,
    TRUNCATED_PATH,
    FakeHttpCamera,
    start_http_camera,
)
from tests.camservers.rtsp_camera import RtspCamera
from tests.camservers.stall_server import StallServer

WITA = ZoneInfo("Asia/Makassar")
PASSWORD = DEFAULT_PASSWORD


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    started = time.monotonic()
    return fn(), time.monotonic() - started


def capture_error(address: CameraAddress) -> tuple[CaptureError, float]:
    """Run capture_frame expecting a CaptureError; return it and the seconds it took."""
    started = time.monotonic()
    with pytest.raises(CaptureError) as info:
        capture_frame(address)
    return info.value, time.monotonic() - started


def served_frames(camera: FakeHttpCamera) -> list[np.ndarray]:
    return [cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) for data in camera.frames]


def is_served_frame(frame: np.ndarray, camera: FakeHttpCamera) -> bool:
    return any(np.array_equal(frame, served) for served in served_frames(camera))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


# --- HTTP snapshots -------------------------------------------------------------------------


@pytest.mark.parametrize("path", [HIKVISION_PATH, DAHUA_PATH, BASIC_PATH])
def test_authenticated_snapshot_returns_the_served_bgr_frame(
    http_camera: FakeHttpCamera, path: str
) -> None:
    frame = capture_frame(CameraAddress(http_camera.url(path), "admin", PASSWORD))

    assert frame.dtype == np.uint8
    assert frame.shape == (720, 1280, 3)
    assert is_served_frame(frame, http_camera)


def test_credentials_in_the_url_are_percent_decoded(frame_paths: list[Path]) -> None:
    password = "p@ss:w/rd#%1"
    with start_http_camera(frame_paths[:1], password=password) as camera:
        frame = capture_frame(CameraAddress(camera.url(DAHUA_PATH, with_credentials=True)))

    assert is_served_frame(frame, camera)


def test_unauthenticated_snapshot_on_an_open_camera(http_camera: FakeHttpCamera) -> None:
    frame = capture_frame(CameraAddress(http_camera.url(OPEN_PATH)))

    assert frame.shape == (720, 1280, 3)


@pytest.mark.parametrize("path", [HIKVISION_PATH, BASIC_PATH])
def test_the_next_capture_answers_the_remembered_challenge_at_once(
    http_camera: FakeHttpCamera, path: str
) -> None:
    address = CameraAddress(http_camera.url(path), "admin", PASSWORD)
    before = http_camera.hits[path]
    capture_frame(address)
    assert http_camera.hits[path] == before + 2  # 401 with the challenge, then the frame

    frame = capture_frame(address)

    assert is_served_frame(frame, http_camera)
    assert http_camera.hits[path] == before + 3  # no second handshake


def test_a_stale_remembered_nonce_is_replaced_by_the_cameras_fresh_one(
    http_camera: FakeHttpCamera,
) -> None:
    address = CameraAddress(http_camera.url(HIKVISION_PATH), "admin", PASSWORD)
    capture_frame(address)
    http_camera.forget_nonces()  # as a restarted camera does
    before = http_camera.hits[HIKVISION_PATH]

    frame = capture_frame(address)

    assert is_served_frame(frame, http_camera)
    assert http_camera.hits[HIKVISION_PATH] == before + 2


def test_a_changed_password_fails_even_with_a_remembered_challenge(
    http_camera: FakeHttpCamera,
) -> None:
    capture_frame(CameraAddress(http_camera.url(HIKVISION_PATH), "admin", PASSWORD))

    error, _ = capture_error(CameraAddress(http_camera.url(HIKVISION_PATH), "admin", "old-pass"))

    assert isinstance(error, AuthFailed)
    assert "rejected" in str(error)
    assert "old-pass" not in str(error)


@pytest.mark.parametrize("path", [HIKVISION_PATH, DAHUA_PATH, BASIC_PATH])
def test_wrong_password_is_auth_failed(http_camera: FakeHttpCamera, path: str) -> None:
    error, seconds = capture_error(CameraAddress(http_camera.url(path), "admin", "wrong-pass"))

    assert isinstance(error, AuthFailed)
    assert error.code == "auth_failed"
    assert "rejected" in str(error)
    assert seconds < 1


def test_missing_credentials_is_auth_failed(http_camera: FakeHttpCamera) -> None:
    error, _ = capture_error(CameraAddress(http_camera.url(HIKVISION_PATH)))

    assert isinstance(error, AuthFailed)
    assert "requires credentials" in str(error)


@pytest.mark.parametrize(
    ("path", "message"), [("/no/such/path", "HTTP 404"), (ERROR_PATH, "HTTP 500")]
)
def test_http_errors_are_camera_unreachable(
    http_camera: FakeHttpCamera, path: str, message: str
) -> None:
    error, _ = capture_error(CameraAddress(http_camera.url(path)))

    assert isinstance(error, CameraUnreachable)
    assert error.code == "unreachable"
    assert message in str(error)


@pytest.mark.parametrize("path", [GARBAGE_PATH, HTML_PATH, TRUNCATED_PATH, HUGE_PATH])
def test_non_image_bodies_are_not_an_image(http_camera: FakeHttpCamera, path: str) -> None:
    error, seconds = capture_error(CameraAddress(http_camera.url(path), timeout_s=3))

    assert isinstance(error, NotAnImage)
    assert error.code == "not_an_image"
    # /huge announces 100 MB and then stalls: it must be refused on its header, not waited for.
    assert seconds < 1


def test_refused_port_is_camera_unreachable_fast(silent_server: StallServer) -> None:
    port = silent_server.port
    silent_server.stop()  # now nothing listens on that port

    error, seconds = capture_error(CameraAddress(f"http://127.0.0.1:{port}/snapshot.jpg"))

    assert isinstance(error, CameraUnreachable)
    assert "refused" in str(error)
    assert seconds < 0.5


# --- Deadlines ------------------------------------------------------------------------------


def test_server_that_never_answers_times_out_at_the_deadline(http_camera: FakeHttpCamera) -> None:
    error, seconds = capture_error(CameraAddress(http_camera.url(HANG_PATH), timeout_s=1.5))

    assert isinstance(error, CaptureTimeout)
    assert error.code == "timeout"
    assert 1.4 <= seconds < 1.5 + 1


def test_half_a_jpeg_then_stall_fails_within_the_deadline(http_camera: FakeHttpCamera) -> None:
    error, seconds = capture_error(CameraAddress(http_camera.url(HALF_PATH), timeout_s=1.5))

    assert isinstance(error, CaptureTimeout | NotAnImage)
    assert seconds < 1.5 + 1


def test_slow_drip_does_not_extend_the_deadline(http_camera: FakeHttpCamera) -> None:
    # One byte per second: every read succeeds in time, only the total elapsed time can stop it.
    error, seconds = capture_error(CameraAddress(http_camera.url(DRIP_PATH), timeout_s=2.5))

    assert isinstance(error, CaptureTimeout)
    assert seconds < 2.5 + 1


def test_silent_tcp_server_times_out_on_http_and_rtsp(silent_server: StallServer) -> None:
    for scheme in ("http", "rtsp"):
        error, seconds = capture_error(CameraAddress(silent_server.url(scheme), timeout_s=1))

        assert isinstance(error, CaptureTimeout), scheme
        assert seconds < 1 + 1, scheme


def test_rtsp_handshake_stalled_inside_ffmpeg_times_out_and_the_worker_ends(
    stalling_rtsp_server: StallServer,
) -> None:
    # The probe's DESCRIBE is answered, so the stall happens inside OpenCV/FFmpeg.
    error, seconds = capture_error(CameraAddress(stalling_rtsp_server.url(), timeout_s=1.5))

    assert isinstance(error, CaptureTimeout)
    assert seconds < 1.5 + 1
    assert stalling_rtsp_server.accepted >= 2  # FFmpeg really connected and got stuck
    for _ in range(50):
        if abandoned_worker_count() == 0:
            break
        time.sleep(0.1)
    assert abandoned_worker_count() == 0


# --- MJPEG and bursts -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [MJPEG_PATH, MJPEG_NO_LENGTH_PATH])
def test_mjpeg_stream_yields_a_served_frame(http_camera: FakeHttpCamera, path: str) -> None:
    frame = capture_frame(CameraAddress(http_camera.url(path)))

    assert is_served_frame(frame, http_camera)


@pytest.mark.parametrize("path", [OPEN_PATH, MJPEG_PATH])
def test_a_minimum_long_side_decodes_served_frames_at_half_size(
    http_camera: FakeHttpCamera, path: str
) -> None:
    frame = capture_frame(CameraAddress(http_camera.url(path), min_long_side=640))

    assert frame.shape == (360, 640, 3)
    halves = [
        cv2.resize(f, (640, 360), interpolation=cv2.INTER_AREA) for f in served_frames(http_camera)
    ]
    assert max(psnr(frame, half) for half in halves) > 30


def test_mjpeg_burst_reads_three_frames_on_one_connection(http_camera: FakeHttpCamera) -> None:
    connections_before = http_camera.hits[MJPEG_PATH]

    frames, seconds = timed(
        lambda: capture_burst(CameraAddress(http_camera.url(MJPEG_PATH)), frames=3, interval_s=0.5)
    )

    assert isinstance(frames, list)
    assert len(frames) == 3
    assert all(is_served_frame(frame, http_camera) for frame in frames)
    assert http_camera.hits[MJPEG_PATH] == connections_before + 1
    assert 1.0 <= seconds < 2.0


def test_snapshot_burst_requests_each_frame(http_camera: FakeHttpCamera) -> None:
    before = http_camera.hits[DAHUA_PATH]
    address = CameraAddress(http_camera.url(DAHUA_PATH), "admin", PASSWORD)

    frames, seconds = timed(lambda: capture_burst(address, frames=3, interval_s=0.3))

    assert isinstance(frames, list)
    assert len(frames) == 3
    assert http_camera.hits[DAHUA_PATH] - before >= 3
    assert 0.6 <= seconds < 1.5


@pytest.mark.parametrize(
    ("content_type", "with_length"),
    [
        ("multipart/x-mixed-replace; boundary=frame", True),
        ("multipart/x-mixed-replace; boundary=frame", False),
        ('multipart/x-mixed-replace;boundary="--frame"', False),  # a common camera quirk
        ("multipart/x-mixed-replace", False),  # no boundary: cut at SOI/EOI
    ],
)
def test_mjpeg_parser_reassembles_parts_split_across_chunks(
    http_camera: FakeHttpCamera, content_type: str, with_length: bool
) -> None:
    jpegs = http_camera.frames[:3]
    stream = b""
    for jpeg in jpegs:
        length = f"Content-Length: {len(jpeg)}\r\n" if with_length else ""
        stream += f"--frame\r\nContent-Type: image/jpeg\r\n{length}\r\n".encode() + jpeg + b"\r\n"
    stream += b"--frame\r\n"
    parser = MultipartJpegParser(boundary_from_content_type(content_type))

    # 997-byte chunks split boundaries, headers and JPEG markers at arbitrary places.
    chunks = [stream[index : index + 997] for index in range(0, len(stream), 997)]
    parts = [part for chunk in chunks for part in parser.feed(chunk)]

    assert parts == jpegs


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://cam.kelurahan.example/snap.jpg", True),
        ("rtsp://10.1.2.3/stream", False),
        ("rtsp://[::1]:8554/stream", False),
        ("http://localhost:8080/x", False),
    ],
)
def test_named_hosts_run_under_the_watchdog(url: str, expected: bool) -> None:
    # Name resolution has no timeout of its own, so only IP literals skip the worker thread.
    assert needs_resolver(url) is expected


# --- file:// --------------------------------------------------------------------------------


def test_file_url_reads_an_image(frame_paths: list[Path]) -> None:
    frame = capture_frame(CameraAddress(frame_paths[0].as_uri()))

    assert np.array_equal(frame, cv2.imread(str(frame_paths[0]), cv2.IMREAD_COLOR))


def test_missing_file_is_camera_unreachable(tmp_path: Path) -> None:
    error, _ = capture_error(CameraAddress((tmp_path / "gone.jpg").as_uri()))

    assert isinstance(error, CameraUnreachable)


@pytest.fixture
def numbered_video(tmp_path: Path) -> Path:
    """20 frames at 10 fps; frame i is a flat grey of value 10*i."""
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (160, 120))
    for index in range(20):
        writer.write(np.full((120, 160, 3), 10 * index, np.uint8))
    writer.release()
    return path


def test_video_file_burst_steps_interval_times_fps(numbered_video: Path) -> None:
    frames = capture_burst(CameraAddress(numbered_video.as_uri()), frames=3, interval_s=0.5)

    # 0.5 s at 10 fps = 5 frames apart: frames 0, 5 and 10.
    assert [round(float(frame.mean()) / 10) for frame in frames] == [0, 5, 10]


def test_video_file_too_short_for_the_burst_is_stream_ended(numbered_video: Path) -> None:
    with pytest.raises(StreamEnded) as info:
        capture_burst(CameraAddress(numbered_video.as_uri()), frames=3, interval_s=1.5)

    assert info.value.code == "stream_ended"


# --- replay: --------------------------------------------------------------------------------

AT = datetime(2026, 11, 24, 7, 30, 0, tzinfo=WITA)


@pytest.mark.parametrize(
    ("files", "at_local", "expected"),
    [
        (["072000.jpg", "073000.jpg", "074000.jpg"], AT, "073000.jpg"),  # exactly at
        (["072500.jpg", "073500.jpg"], AT, "072500.jpg"),  # between: the older one
        (["071959.jpg"], AT, None),  # 10 min 1 s old: offline
        (["072000.png"], AT, "072000.png"),  # exactly 10 min old still counts
        (["073001.jpg"], AT, None),  # only frames in the future
        (["072900.jpg", "2026-11-24/072800.jpg"], AT, "072900.jpg"),  # newest wins
        (["072900.jpg", "2026-11-24/072900.jpg"], AT, "2026-11-24/072900.jpg"),  # dated wins tie
        (["2026-11-23/073000.jpg"], AT, None),  # another day's folder
        (
            ["2026-11-23/235800.jpg"],
            datetime(2026, 11, 24, 0, 5, tzinfo=WITA),
            "2026-11-23/235800.jpg",
        ),
        (["notes.txt", "7300.jpg", "256000.jpg"], AT, None),  # ignored names
    ],
)
def test_pick_replay_frame(files: list[str], at_local: datetime, expected: str | None) -> None:
    assert pick_replay_frame(files, at_local) == expected


@pytest.fixture
def replay_dir(tmp_path: Path, frame_paths: list[Path]) -> Path:
    """Symlinks (not copies) to two photographs: 07:25 undated and 07:35 on 2026-11-24."""
    (tmp_path / "2026-11-24").mkdir()
    (tmp_path / "072500.jpg").symlink_to(frame_paths[0])
    (tmp_path / "2026-11-24" / "073500.jpg").symlink_to(frame_paths[1])
    return tmp_path


@pytest.mark.parametrize("url_form", ["replay:{}", "replay://{}"])
def test_replay_converts_an_aware_utc_instant_to_local_time(
    replay_dir: Path, frame_paths: list[Path], url_form: str
) -> None:
    # 23:36 UTC on the 23rd is 07:36 WITA on the 24th.
    at = datetime(2026, 11, 23, 23, 36, tzinfo=UTC)

    frame = capture_frame(CameraAddress(url_form.format(replay_dir)), at=at, zone=WITA)

    assert np.array_equal(frame, cv2.imread(str(frame_paths[1]), cv2.IMREAD_COLOR))


def test_replay_without_a_recent_frame_is_offline(replay_dir: Path) -> None:
    at = datetime(2026, 11, 24, 8, 0, tzinfo=WITA)

    with pytest.raises(CameraUnreachable, match="offline at 2026-11-24 08:00:00"):
        capture_frame(CameraAddress(f"replay:{replay_dir}"), at=at, zone=WITA)


def test_replayed_frames_get_their_own_sensor_noise(
    replay_dir: Path, frame_paths: list[Path]
) -> None:
    address = CameraAddress(f"replay:{replay_dir}", sensor_noise=2.0)
    recorded = cv2.imread(str(frame_paths[1]), cv2.IMREAD_COLOR).astype(int)
    at = datetime(2026, 11, 24, 7, 36, tzinfo=WITA)

    burst = capture_burst(address, frames=2, interval_s=1.0, at=at, zone=WITA)
    again = capture_burst(address, frames=2, interval_s=1.0, at=at, zone=WITA)

    # Both frames show the same recorded file, yet no two are the same pixels (not frozen) ...
    assert not np.array_equal(burst[0], burst[1])
    assert not np.array_equal(burst[0], recorded)
    # ... the picture stays the recorded one, and a replay of the same instant repeats.
    assert float(np.abs(burst[0].astype(int) - recorded).mean()) < 6.0
    assert all(np.array_equal(a, b) for a, b in zip(burst, again, strict=True))


def test_replay_without_noise_gives_the_recorded_pixels(
    replay_dir: Path, frame_paths: list[Path]
) -> None:
    at = datetime(2026, 11, 24, 7, 36, tzinfo=WITA)
    address = CameraAddress(f"replay:{replay_dir}", sensor_noise=0.0)

    burst = capture_burst(address, frames=2, interval_s=1.0, at=at, zone=WITA)

    recorded = cv2.imread(str(frame_paths[1]), cv2.IMREAD_COLOR)
    assert all(np.array_equal(frame, recorded) for frame in burst)


def test_replay_needs_an_aware_instant(replay_dir: Path) -> None:
    with pytest.raises(ValueError, match="aware"):
        capture_frame(CameraAddress(f"replay:{replay_dir}"), at=datetime(2026, 11, 24, 7, 30))


# --- RTSP -----------------------------------------------------------------------------------


def source_images(rtsp: RtspCamera) -> list[np.ndarray]:
    return [cv2.imread(str(path)) for path in sorted(rtsp.workdir.glob("source_*.jpg"))]


def test_rtsp_digest_stream_delivers_a_frame_of_the_scene(rtsp_camera: RtspCamera) -> None:
    frame = capture_frame(CameraAddress(rtsp_camera.url, "admin", PASSWORD))

    assert frame.shape == (360, 640, 3)
    assert max(psnr(frame, source) for source in source_images(rtsp_camera)) > 25


def test_rtsp_burst_keeps_one_session(rtsp_camera: RtspCamera) -> None:
    address = CameraAddress(rtsp_camera.url_with_credentials())

    frames, seconds = timed(lambda: capture_burst(address, frames=3, interval_s=0.5))

    assert isinstance(frames, list)
    assert len(frames) == 3
    assert all(frame.shape == (360, 640, 3) for frame in frames)
    assert seconds < 8


def test_rtsp_basic_auth_stream(rtsp_camera_basic: RtspCamera) -> None:
    frame = capture_frame(CameraAddress(rtsp_camera_basic.url, "admin", PASSWORD))

    assert frame.shape == (360, 640, 3)


@pytest.mark.parametrize(("username", "password"), [("admin", "wrong-pass"), ("", "")])
def test_rtsp_wrong_or_missing_password_is_auth_failed_fast(
    rtsp_camera: RtspCamera, username: str, password: str
) -> None:
    error, seconds = capture_error(CameraAddress(rtsp_camera.url, username, password))

    assert isinstance(error, AuthFailed)
    assert seconds < 0.5


def test_rtsp_unknown_path_is_camera_unreachable(rtsp_camera: RtspCamera) -> None:
    url = rtsp_camera.url.replace("/stream", "/nope")

    error, _ = capture_error(CameraAddress(url, "admin", PASSWORD))

    assert isinstance(error, CameraUnreachable)
    assert "404" in str(error)


def test_rtsp_refused_port_is_camera_unreachable_fast(silent_server: StallServer) -> None:
    url = silent_server.url("rtsp")
    silent_server.stop()

    error, seconds = capture_error(CameraAddress(url, "admin", PASSWORD))

    assert isinstance(error, CameraUnreachable)
    assert seconds < 0.5


# --- Credentials never leak -----------------------------------------------------------------

LEAKY_PASSWORD = "Sup3rS3cret!x"


def leak_cases(http: FakeHttpCamera, rtsp: RtspCamera, silent: StallServer) -> list[CameraAddress]:
    userinfo = f"admin:{LEAKY_PASSWORD}"
    return [
        CameraAddress(f"http://{userinfo}@127.0.0.1:{http.port}{HIKVISION_PATH}"),
        CameraAddress(http.url(BASIC_PATH), "admin", LEAKY_PASSWORD),
        CameraAddress(f"http://{userinfo}@127.0.0.1:{http.port}/missing"),
        CameraAddress(f"http://127.0.0.1:{http.port}/x?user=admin&pwd={LEAKY_PASSWORD}"),
        CameraAddress(f"http://{userinfo}@127.0.0.1:{http.port}{HANG_PATH}", timeout_s=0.5),
        CameraAddress(rtsp.url.replace("rtsp://", f"rtsp://{userinfo}@")),
        CameraAddress(f"rtsp://{userinfo}@127.0.0.1:{silent.port}/x", timeout_s=0.5),
        CameraAddress(f"rtsp://{userinfo}@127.0.0.1:1/x"),
        CameraAddress(f"ftp://{userinfo}@127.0.0.1/x"),
    ]


def test_errors_and_reprs_never_contain_the_password(
    http_camera: FakeHttpCamera, rtsp_camera: RtspCamera, silent_server: StallServer
) -> None:
    for address in leak_cases(http_camera, rtsp_camera, silent_server):
        error, _ = capture_error(address)

        for text in (str(error), repr(error), repr(address), str(error.args)):
            assert LEAKY_PASSWORD not in text, text
            assert "Sup3r" not in text, text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtsp://admin:pw@10.0.0.5:554/Streaming/101", "rtsp://***@10.0.0.5:554/Streaming/101"),
        ("http://cam.local/snap.jpg", "http://cam.local/snap.jpg"),
        (
            "http://10.0.0.5/cgi?cmd=snap&usr=admin&pwd=s3cret",
            "http://10.0.0.5/cgi?cmd=snap&usr=***&pwd=***",
        ),
        ("http://10.0.0.5/x?token=abc&channel=1", "http://10.0.0.5/x?token=***&channel=1"),
        ("rtsp://admin:p@ss@10.0.0.5/x", "rtsp://***@10.0.0.5/x"),
        ("replay:/srv/frames/cam1", "replay:/srv/frames/cam1"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_unsupported_scheme_is_camera_unreachable() -> None:
    error, _ = capture_error(CameraAddress("ftp://127.0.0.1/x"))

    assert isinstance(error, CameraUnreachable)
    assert "unsupported" in str(error)


def test_sources_package_does_not_import_django() -> None:
    code = "import sys, cameras.sources; assert 'django' not in sys.modules"

    project = Path(__file__).resolve().parents[2]

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, timeout=60, cwd=project
    )

    assert result.returncode == 0, result.stderr.decode()


def test_burst_rejects_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="frames"):
        capture_burst(CameraAddress("http://127.0.0.1:1/x"), frames=0)
