"""Launcher for rtsp_server.py: prepares frames, starts /usr/bin/python3, waits for READY.

    from tests.camservers.rtsp_camera import start_rtsp_camera
    camera = start_rtsp_camera(auth="digest")    # camera.url has no credentials
    ...
    camera.stop()

Frames are resized to one size into a private temporary directory (the photographs in
/work/shared are only read), and each is repeated `hold_s * fps` times so the stream looks like
a camera watching a scene rather than a slide show at 15 changes per second.
"""

from __future__ import annotations

import atexit
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import cv2

from .http_camera import DEFAULT_PASSWORD, shared_frames

SYSTEM_PYTHON = os.environ.get("KM_GST_PYTHON", "/usr/bin/python3")
SERVER_SCRIPT = Path(__file__).with_name("rtsp_server.py")


def gstreamer_available() -> bool:
    """True if the system Python can load gst-rtsp-server (the camera tests fail otherwise)."""
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = (
        "import gi; gi.require_version('GstRtspServer', '1.0');"
        "from gi.repository import GstRtspServer"
    )
    result = subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True, timeout=20)
    return result.returncode == 0


class RtspCamera:
    """A running rtsp_server.py subprocess; `url` carries no credentials."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        url: str,
        workdir: Path,
        username: str,
        password: str,
    ) -> None:
        self.process = process
        self.url = url
        self.workdir = workdir
        self.username = username
        self.password = password
        self.port = int(url.split(":")[2].split("/")[0])

    def url_with_credentials(self, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return self.url.replace("rtsp://", f"rtsp://{self.username}:{secret}@", 1)

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL) and delete the prepared frames."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def prepare_frames(
    frames: Sequence[Path], workdir: Path, size: tuple[int, int], fps: int, hold_s: float
) -> None:
    """Write frame_%05d.jpg files of one size, each source image repeated hold_s*fps times."""
    repeat = max(1, round(hold_s * fps))
    index = 0
    for source_index, path in enumerate(frames):
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(f"cannot read {path}")
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        source = workdir / f"source_{source_index:04d}.jpg"
        cv2.imwrite(str(source), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        for _ in range(repeat):
            (workdir / f"frame_{index:05d}.jpg").symlink_to(source.name)
            index += 1


def start_rtsp_camera(
    frames: Sequence[Path] | None = None,
    *,
    auth: str = "none",
    username: str = "admin",
    password: str = DEFAULT_PASSWORD,
    size: tuple[int, int] = (640, 360),
    fps: int = 15,
    hold_s: float = 1.0,
    mount: str = "/stream",
    ready_timeout_s: float = 15.0,
) -> RtspCamera:
    """Start an RTSP camera on 127.0.0.1 (free port chosen by the server); `auth` is
    "digest", "basic" or "none". Raises RuntimeError if it does not report READY in time."""
    workdir = Path(tempfile.mkdtemp(prefix="km-rtsp-"))
    prepare_frames(
        frames if frames is not None else shared_frames()[:4], workdir, size, fps, hold_s
    )
    env = dict(os.environ, RTSP_AUTH=f"{username}:{password}")
    # The venv's variables must not leak into the system interpreter.
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(name, None)
    command = [
        SYSTEM_PYTHON,
        str(SERVER_SCRIPT),
        "--frames-dir",
        str(workdir),
        "--fps",
        str(fps),
        "--mount",
        mount,
        "--auth-method",
        auth,
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + ready_timeout_s
    line = b""
    try:
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(timeout=left):
                raise RuntimeError("rtsp_server.py did not report READY in time")
            chunk = os.read(process.stdout.fileno(), 1)
            if not chunk:
                stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise RuntimeError(f"rtsp_server.py exited: {stderr.strip()[-2000:]}")
            line += chunk
    except BaseException:
        process.kill()
        process.wait(timeout=5)
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    finally:
        selector.close()
    text = line.decode().strip()
    if not text.startswith("READY "):
        process.kill()
        raise RuntimeError(f"unexpected line from rtsp_server.py: {text}")
    camera = RtspCamera(process, text.split(" ", 1)[1], workdir, username, password)
    # A test run that dies before teardown must not leave the frames directory behind (the
    # server itself exits when our end of its stdin pipe closes).
    atexit.register(camera.stop)
    return camera
