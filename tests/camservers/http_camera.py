"""A real fake HTTP camera on loopback: snapshot endpoints, MJPEG and misbehaving endpoints.

Usable from tests (see tests/cameras/conftest.py) and from benchmark commands::

    from tests.camservers.http_camera import start_http_camera, shared_frames
    camera = start_http_camera(shared_frames(), size=(1280, 720))
    camera.url(HIKVISION_PATH)   # digest-protected, user camera.username / camera.password
    camera.stop()

Or standalone: `python -m tests.camservers.http_camera --port 8081 --size 1280x720`.

Every response goes out in one write with TCP_NODELAY set: a header write followed by a body
write otherwise meets Nagle plus delayed ACK and costs ~45 ms per request.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import itertools
import os
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import cv2
import numpy as np

HIKVISION_PATH = "/ISAPI/Streaming/channels/101/picture"
DAHUA_PATH = "/cgi-bin/snapshot.cgi"
BASIC_PATH = "/basic/snapshot.jpg"
OPEN_PATH = "/snapshot.jpg"
MJPEG_PATH = "/mjpeg"
MJPEG_NO_LENGTH_PATH = "/mjpeg-no-length"
HANG_PATH = "/hang"
GARBAGE_PATH = "/garbage"
HTML_PATH = "/html"
HALF_PATH = "/half"
TRUNCATED_PATH = "/truncated"
DRIP_PATH = "/drip"
HUGE_PATH = "/huge"
ERROR_PATH = "/error"

DIGEST_REALMS = {HIKVISION_PATH: "IP Camera(D1234)", DAHUA_PATH: "Login to 5E0A1B2C3D4E5F6"}
BASIC_REALM = "Basic Camera"
DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "secret123"
# ../shared/frames beside the checkout (CI clones next to it); KM_FRAMES_DIR overrides.
DEFAULT_FRAMES_DIR = Path(
    os.environ.get("KM_FRAMES_DIR", Path(__file__).resolve().parents[3] / "shared" / "frames")
)
_BOUNDARY = "myboundary"


def shared_frames(directory: Path = DEFAULT_FRAMES_DIR) -> list[Path]:
    """The real photographs the test servers serve (read in place, never copied)."""
    return sorted(directory.glob("*.jpg"))


def encode_frames(
    paths: Iterable[Path], size: tuple[int, int] | None = None, quality: int = 90
) -> list[bytes]:
    """JPEG bytes for each file: unchanged, or resized to `size` (width, height) and re-encoded."""
    encoded: list[bytes] = []
    for path in paths:
        data = Path(path).read_bytes()
        if size is not None:
            image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if not ok:
                raise ValueError(f"cannot encode {path}")
            data = buf.tobytes()
        encoded.append(data)
    if not encoded:
        raise ValueError("the fake camera needs at least one frame")
    return encoded


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _parse_auth_params(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in value.split(","):
        key, sep, val = item.strip().partition("=")
        if sep:
            params[key.strip().lower()] = val.strip().strip('"')
    return params


class FakeHttpCamera:
    """A ThreadingHTTPServer on 127.0.0.1 (port 0 by default) in a background thread."""

    def __init__(
        self,
        frames: Sequence[Path],
        *,
        username: str = "admin",
        password: str = DEFAULT_PASSWORD,
        size: tuple[int, int] | None = None,
        fps: float = 15.0,
        drip_interval_s: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.username = username
        self.password = password
        self.fps = fps
        self.drip_interval_s = drip_interval_s
        self.frames = encode_frames(frames, size)
        self.hits: Counter[str] = Counter()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._nonces: set[str] = set()
        self._server = ThreadingHTTPServer((host, port), _make_handler(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        host_, port_ = self._server.server_address[:2]
        self.host, self.port = str(host_), int(port_)
        self.base_url = f"http://{self.host}:{self.port}"

    def start(self) -> FakeHttpCamera:
        """Serve in the background; idempotent, so `with start_http_camera(...)` works."""
        if self._thread.ident is None:
            self._thread.start()
        return self

    def stop(self) -> None:
        """Wake every stalled handler, stop serving and close the listening socket."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeHttpCamera:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, path: str, *, with_credentials: bool = False, password: str | None = None) -> str:
        """Absolute URL of `path`, optionally with (percent-encoded) userinfo."""
        if not with_credentials:
            return self.base_url + path
        secret = self.password if password is None else password
        userinfo = f"{quote(self.username, safe='')}:{quote(secret, safe='')}"
        return f"http://{userinfo}@{self.host}:{self.port}{path}"

    def next_frame(self) -> bytes:
        with self._lock:
            return self.frames[next(self._counter) % len(self.frames)]

    def new_nonce(self) -> str:
        nonce = secrets.token_hex(16)
        with self._lock:
            self._nonces.add(nonce)
        return nonce

    def forget_nonces(self) -> None:
        """Every nonce handed out so far becomes unknown (a restarted camera)."""
        with self._lock:
            self._nonces.clear()

    def digest_ok(self, header: str, method: str, realm: str) -> bool:
        if not header.lower().startswith("digest "):
            return False
        params = _parse_auth_params(header[7:])
        with self._lock:
            known = params.get("nonce") in self._nonces
        if not known or params.get("username") != self.username:
            return False
        ha1 = _md5(f"{self.username}:{realm}:{self.password}")
        ha2 = _md5(f"{method}:{params.get('uri', '')}")
        expected = _md5(
            f"{ha1}:{params['nonce']}:{params.get('nc', '')}:{params.get('cnonce', '')}:"
            f"{params.get('qop', '')}:{ha2}"
        )
        return secrets.compare_digest(expected, params.get("response", ""))

    def basic_ok(self, header: str) -> bool:
        if not header.lower().startswith("basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except ValueError:
            return False
        return secrets.compare_digest(decoded, f"{self.username}:{self.password}")


def _make_handler(camera: FakeHttpCamera) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "FakeCam/1.0"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: object) -> None:
            """Silence per-request logging."""

        def _send(
            self, status: int, body: bytes = b"", headers: Sequence[tuple[str, str]] = ()
        ) -> None:
            lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}"]
            lines += [f"{k}: {v}" for k, v in headers]
            if not any(k.lower() == "content-length" for k, _ in headers):
                lines.append(f"Content-Length: {len(body)}")
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            self.wfile.flush()

        def _hold(self) -> None:
            """Keep the connection open and silent until the camera stops."""
            self.close_connection = True
            camera.stopping.wait()

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            camera.hits[path] += 1
            if path in DIGEST_REALMS:
                realm = DIGEST_REALMS[path]
                if not camera.digest_ok(self.headers.get("Authorization", ""), "GET", realm):
                    challenge = (
                        f'Digest realm="{realm}", qop="auth", nonce="{camera.new_nonce()}", '
                        'stale="FALSE"'
                    )
                    self._send(401, b"Unauthorized", [("WWW-Authenticate", challenge)])
                    return
                self._image()
            elif path == BASIC_PATH:
                if not camera.basic_ok(self.headers.get("Authorization", "")):
                    challenge = f'Basic realm="{BASIC_REALM}"'
                    self._send(401, b"Unauthorized", [("WWW-Authenticate", challenge)])
                    return
                self._image()
            elif path == OPEN_PATH:
                self._image()
            elif path in (MJPEG_PATH, MJPEG_NO_LENGTH_PATH):
                self._mjpeg(with_length=path == MJPEG_PATH)
            elif path == HANG_PATH:
                self._hold()
            elif path == GARBAGE_PATH:
                garbage = bytes(range(256)) * 16
                self._send(200, garbage, [("Content-Type", "image/jpeg")])
            elif path == HTML_PATH:
                page = b"<html><body>Please log in</body></html>"
                self._send(200, page, [("Content-Type", "text/html")])
            elif path in (HALF_PATH, TRUNCATED_PATH, DRIP_PATH, HUGE_PATH):
                self._broken_image(path)
            elif path == ERROR_PATH:
                self._send(500, b"Internal error")
            else:
                self._send(404, b"Not found", [("Content-Type", "text/plain")])

        def _image(self) -> None:
            self._send(200, camera.next_frame(), [("Content-Type", "image/jpeg")])

        def _broken_image(self, path: str) -> None:
            frame = camera.next_frame()
            length = 100 * 1024 * 1024 if path == HUGE_PATH else len(frame)
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: {length}\r\n\r\n"
            )
            self.close_connection = True
            if path == DRIP_PATH:
                self.wfile.write(head.encode("latin-1"))
                for index in range(len(frame)):
                    if camera.stopping.wait(camera.drip_interval_s):
                        return
                    try:
                        self.wfile.write(frame[index : index + 1])
                    except OSError:
                        return
                return
            body = b"" if path == HUGE_PATH else frame[: len(frame) // 2]
            self.wfile.write(head.encode("latin-1") + body)
            self.wfile.flush()
            if path in (HALF_PATH, HUGE_PATH):
                self._hold()

        def _mjpeg(self, *, with_length: bool) -> None:
            self.close_connection = True
            head = (
                "HTTP/1.1 200 OK\r\nCache-Control: no-cache\r\nConnection: close\r\n"
                f"Content-Type: multipart/x-mixed-replace; boundary={_BOUNDARY}\r\n\r\n"
            )
            self.wfile.write(head.encode("latin-1"))
            period = 1.0 / camera.fps
            next_at = time.monotonic()
            while not camera.stopping.is_set():
                frame = camera.next_frame()
                part_head = f"--{_BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                if with_length:
                    part_head += f"Content-Length: {len(frame)}\r\n"
                try:
                    self.wfile.write(part_head.encode("latin-1") + b"\r\n" + frame + b"\r\n")
                    self.wfile.flush()
                except OSError:
                    return
                next_at += period
                camera.stopping.wait(max(0.0, next_at - time.monotonic()))

    return Handler


def start_http_camera(
    frames: Sequence[Path] | None = None,
    *,
    username: str = "admin",
    password: str = DEFAULT_PASSWORD,
    size: tuple[int, int] | None = None,
    fps: float = 15.0,
    drip_interval_s: float = 1.0,
    port: int = 0,
) -> FakeHttpCamera:
    """Start a fake camera serving `frames` (default: the shared photographs); call stop()."""
    return FakeHttpCamera(
        frames if frames is not None else shared_frames(),
        username=username,
        password=password,
        size=size,
        fps=fps,
        drip_interval_s=drip_interval_s,
        port=port,
    ).start()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fake HTTP camera on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--size", default="1280x720", help="WxH, or 'native'")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("frames", nargs="*", type=Path)
    args = parser.parse_args(argv)
    size = None if args.size == "native" else tuple(int(v) for v in args.size.split("x"))
    camera = start_http_camera(
        args.frames or None,
        username=args.username,
        password=args.password,
        size=size,  # type: ignore[arg-type]
        port=args.port,
    )
    print(f"fake camera at {camera.base_url}  (Ctrl-C to stop)")  # noqa: T201
    for path in (HIKVISION_PATH, DAHUA_PATH, BASIC_PATH, OPEN_PATH, MJPEG_PATH):
        print(f"  {camera.base_url}{path}")  # noqa: T201
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        camera.stop()


if __name__ == "__main__":
    main()
