"""RTSP cameras through OpenCV's bundled FFmpeg, over TCP.

Two steps. First a raw-socket DESCRIBE (milliseconds) tells a refused port, a wrong path and a
wrong password apart, which FFmpeg reports only as "could not open". Then OpenCV opens the
stream in a worker thread (`run_with_deadline`): FFmpeg's open and read timeouts are set to the
time left, but a handshake stalled inside FFmpeg must not hold the caller, so the caller stops
waiting at the deadline and the thread releases the capture whenever FFmpeg gives up.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import cast
from urllib.parse import urlsplit

import cv2
import numpy as np
from numpy.typing import NDArray

from .base import (
    AuthFailed,
    CameraAddress,
    CameraUnreachable,
    CaptureTimeout,
    Deadline,
    StreamEnded,
    needs_resolver,
    redact_url,
    run_with_deadline,
)
from .frames import check_pixel_limit
from .httpauth import authorization_for, parse_challenges, pick_challenge

DEFAULT_RTSP_PORT = 554
_MAX_RESPONSE_HEAD = 64 * 1024
_ENV_OPTIONS = "OPENCV_FFMPEG_CAPTURE_OPTIONS"
_env_lock = threading.Lock()


class _RtspResponse:
    def __init__(self, status: int, headers: list[tuple[str, str]]) -> None:
        self.status = status
        self.headers = headers

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


def _read_response(sock: socket.socket, deadline: Deadline, what: str) -> _RtspResponse:
    """Read one RTSP response head (and skip its body), each recv bounded by the deadline."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        sock.settimeout(deadline.check(what))
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            raise CaptureTimeout(f"{what}: no RTSP answer within {deadline.seconds:g} s") from None
        if not chunk:
            raise CameraUnreachable(f"{what}: connection closed without an RTSP answer")
        buf += chunk
        if len(buf) > _MAX_RESPONSE_HEAD:
            raise CameraUnreachable(f"{what}: not an RTSP server (oversized answer)")
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("RTSP/") or not parts[1].isdigit():
        raise CameraUnreachable(f"{what}: not an RTSP server")
    headers = [
        (key.strip(), value.strip())
        for key, sep, value in (line.partition(":") for line in lines[1:])
        if sep
    ]
    response = _RtspResponse(int(parts[1]), headers)
    length_values = response.header_values("Content-Length")
    remaining = (int(length_values[0]) if length_values else 0) - len(rest)
    while remaining > 0:
        sock.settimeout(deadline.check(what))
        try:
            chunk = sock.recv(min(remaining, 65536))
        except TimeoutError:
            raise CaptureTimeout(f"{what}: RTSP answer stalled") from None
        if not chunk:
            break
        remaining -= len(chunk)
    return response


def probe_rtsp(address: CameraAddress, deadline: Deadline) -> None:
    """DESCRIBE the stream (answering one auth challenge); raise the matching CaptureError."""
    safe = redact_url(address.url)
    url = address.url_without_credentials()
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or DEFAULT_RTSP_PORT
    username, password = address.credentials()
    try:
        sock = socket.create_connection((host, port), timeout=deadline.check(safe))
    except TimeoutError:
        raise CaptureTimeout(f"{safe}: connect timed out") from None
    except ConnectionRefusedError:
        raise CameraUnreachable(f"{safe}: connection refused") from None
    except socket.gaierror:
        raise CameraUnreachable(f"{safe}: unknown host") from None
    except OSError as exc:
        raise CameraUnreachable(f"{safe}: {exc.strerror or type(exc).__name__}") from None
    with sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def describe(cseq: int, authorization: str | None) -> _RtspResponse:
            lines = [
                f"DESCRIBE {url} RTSP/1.0",
                f"CSeq: {cseq}",
                "Accept: application/sdp",
                "User-Agent: kelurahan-monitor/1",
            ]
            if authorization:
                lines.append(f"Authorization: {authorization}")
            try:
                sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            except OSError:
                raise CameraUnreachable(f"{safe}: connection lost during DESCRIBE") from None
            return _read_response(sock, deadline, safe)

        response = describe(1, None)
        if response.status == 401:
            if not username:
                raise AuthFailed(f"{safe}: camera requires credentials (RTSP 401)")
            challenge = pick_challenge(parse_challenges(response.header_values("WWW-Authenticate")))
            if challenge is None:
                raise AuthFailed(f"{safe}: RTSP 401 without a Basic or Digest challenge")
            try:
                authorization = authorization_for(challenge, "DESCRIBE", url, username, password)
            except ValueError as exc:
                raise AuthFailed(f"{safe}: {exc}") from None
            response = describe(2, authorization)
            if response.status == 401:
                raise AuthFailed(f"{safe}: camera rejected the credentials (RTSP 401)")
    if response.status == 200:
        return
    if response.status == 403:
        raise AuthFailed(f"{safe}: access forbidden (RTSP 403)")
    if response.status == 404:
        raise CameraUnreachable(f"{safe}: stream path not found (RTSP 404)")
    raise CameraUnreachable(f"{safe}: camera answered RTSP {response.status}")


def _ensure_tcp_transport() -> None:
    """Make FFmpeg use RTSP over TCP (UDP loses packets through NAT and office routers).

    OpenCV reads this variable at every open; an operator's own options are kept.
    """
    with _env_lock:
        current = os.environ.get(_ENV_OPTIONS, "")
        if "rtsp_transport" not in current:
            os.environ[_ENV_OPTIONS] = "|".join(filter(None, [current, "rtsp_transport;tcp"]))


def open_video_capture(source: str, deadline: Deadline) -> cv2.VideoCapture:
    """cv2.VideoCapture through FFmpeg with open/read timeouts set to the time left."""
    left_ms = max(int(deadline.remaining() * 1000), 1)
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, left_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, left_ms]
    return cv2.VideoCapture(source, cv2.CAP_FFMPEG, params)


def check_video_size(capture: cv2.VideoCapture, what: str) -> None:
    """Refuse a stream whose declared frame size exceeds MAX_IMAGE_PIXELS before reading a
    frame (FFmpeg knows the size from the stream header once it is open)."""
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
    height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
    if width > 0 and height > 0:
        check_pixel_limit((width, height), what)


def _read_stream(
    url: str, safe: str, deadline: Deadline, frames: int, interval_s: float
) -> list[NDArray[np.uint8]]:
    """Runs in the worker thread: open, read `frames` frames `interval_s` apart, release."""
    capture = open_video_capture(url, deadline)
    try:
        if not capture.isOpened():
            deadline.check(f"{safe}: opening the stream")
            raise CameraUnreachable(f"{safe}: FFmpeg could not open the stream")
        check_video_size(capture, safe)
        taken: list[NDArray[np.uint8]] = []
        while len(taken) < frames:
            if taken:
                # Keep grabbing (decoding without conversion) until the next slot, so the
                # frame taken is live and not one that waited in FFmpeg's buffer.
                next_at = time.monotonic() + interval_s
                while time.monotonic() < next_at:
                    deadline.check(f"{safe}: reading the stream")
                    if not capture.grab():
                        raise StreamEnded(f"{safe}: stream ended after {len(taken)} frames")
            deadline.check(f"{safe}: reading the stream")
            ok, frame = capture.read()
            if not ok or frame is None:
                deadline.check(f"{safe}: reading the stream")
                raise StreamEnded(f"{safe}: stream delivered no frame after {len(taken)}")
            taken.append(cast(NDArray[np.uint8], frame))
        return taken
    finally:
        capture.release()


def capture_rtsp(
    address: CameraAddress, deadline: Deadline, frames: int, interval_s: float
) -> list[NDArray[np.uint8]]:
    """Capture `frames` BGR frames from one RTSP session, `interval_s` apart."""
    safe = redact_url(address.url)
    if needs_resolver(address.url):
        run_with_deadline(lambda: probe_rtsp(address, deadline), deadline, safe)
    else:
        probe_rtsp(address, deadline)
    _ensure_tcp_transport()
    url = address.url_with_credentials()
    return run_with_deadline(
        lambda: _read_stream(url, safe, deadline, frames, interval_s), deadline, safe
    )
