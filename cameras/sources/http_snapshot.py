"""HTTP(S) cameras: single-JPEG snapshot endpoints and MJPEG streams on the same scheme.

The response's Content-Type decides: multipart/x-mixed-replace is read as MJPEG (one connection
kept open for a burst), anything else is one image per request (re-requested for a burst).
The deadline is one total budget for connect, TLS, redirects, headers and body. Socket timeouts
alone cannot give that (each read of a server dripping one byte every 2 s succeeds, and every
redirect starts afresh), so a watchdog timer shuts down every socket of the capture when the
deadline passes: whatever read is blocked then fails at once and the capture reports a timeout.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import OrderedDict

import numpy as np
import requests
import requests.adapters
import urllib3.exceptions
from numpy.typing import NDArray
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .base import (
    AuthFailed,
    CameraAddress,
    CameraUnreachable,
    CaptureTimeout,
    Deadline,
    NotAnImage,
    StreamEnded,
    needs_resolver,
    redact_url,
    run_with_deadline,
)
from .frames import MAX_IMAGE_BYTES, decode_image
from .httpauth import Challenge, authorization_for, parse_challenges, pick_challenge
from .mjpeg import MultipartJpegParser, boundary_from_content_type

_CHUNK = 64 * 1024
_USER_AGENT = "kelurahan-monitor/1 (+camera check)"
_TIMEOUT_ERRORS = (
    requests.exceptions.Timeout,
    urllib3.exceptions.TimeoutError,
    TimeoutError,
    socket.timeout,
)


# The auth challenge each camera last sent, per (URL, user), with the digest nonce count used so
# far: the next capture answers it at once instead of paying a 401 round trip every time (over
# a slow link to a kelurahan office that is a real share of the capture). Only challenges are
# kept, never credentials; a stale or refused one is dropped and the handshake starts afresh.
_CHALLENGES: OrderedDict[tuple[str, str], tuple[Challenge, int]] = OrderedDict()
_CHALLENGES_LOCK = threading.Lock()
_CHALLENGES_KEPT = 1024


def forget_challenges() -> None:
    """Drop every remembered auth challenge (tests; a camera's new firmware)."""
    with _CHALLENGES_LOCK:
        _CHALLENGES.clear()


def _remembered_challenge(key: tuple[str, str]) -> tuple[Challenge | None, int]:
    with _CHALLENGES_LOCK:
        return _CHALLENGES.get(key, (None, 0))


def _remember_challenge(key: tuple[str, str], challenge: Challenge | None, count: int) -> None:
    with _CHALLENGES_LOCK:
        if challenge is None:
            _CHALLENGES.pop(key, None)
            return
        _CHALLENGES[key] = (challenge, count)
        _CHALLENGES.move_to_end(key)
        while len(_CHALLENGES) > _CHALLENGES_KEPT:
            _CHALLENGES.popitem(last=False)


class _Watchdog:
    """Shuts down every socket of one capture when its deadline passes."""

    def __init__(self, deadline: Deadline) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(deadline.remaining(), 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for TLS sockets: it wakes a recv blocked in another
    # thread without touching the TLS state that thread is using.
    with contextlib.suppress(OSError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    """Hands every socket this session opens (redirects included) to the watchdog."""

    def __init__(self, watchdog: _Watchdog) -> None:
        self.watchdog = watchdog
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        watch = self.watchdog.watch

        class Connection(HTTPConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                watch(sock)
                return sock

        class SecureConnection(HTTPSConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                watch(sock)
                return sock

        class Pool(HTTPConnectionPool):
            ConnectionCls = Connection

        class SecurePool(HTTPSConnectionPool):
            ConnectionCls = SecureConnection

        self.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": SecurePool}


class _HttpCamera:
    """One capture's HTTP conversation: a session, the auth challenge and the deadline."""

    def __init__(self, address: CameraAddress, deadline: Deadline) -> None:
        self.address = address
        self.deadline = deadline
        self.url = address.url_without_credentials()
        self.safe_url = redact_url(address.url)
        self.username, self.password = address.credentials()
        self.watchdog = _Watchdog(deadline)
        self.session = requests.Session()
        adapter = _WatchedAdapter(self.watchdog)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.max_redirects = 3
        self.session.trust_env = False  # a proxy from the environment must not see cameras
        self.path_url = requests.Request("GET", self.url).prepare().path_url
        self._challenge_key = (self.url, self.username)
        self.challenge: Challenge | None = None
        self.nonce_count = 0
        if self.username:
            self.challenge, self.nonce_count = _remembered_challenge(self._challenge_key)

    def close(self) -> None:
        self.watchdog.cancel()
        self.session.close()
        if self.username:
            _remember_challenge(self._challenge_key, self.challenge, self.nonce_count)

    def get(self) -> requests.Response:
        """GET the URL, answering one auth challenge; returns a 200 response (body unread).

        A remembered challenge is answered straight away; when the camera refuses it (a stale
        digest nonce, a restarted camera) its fresh challenge is answered instead.
        """
        response = self._send()
        if response.status_code == 401:
            headers = response.raw.headers.getlist("WWW-Authenticate")
            response.close()
            self.challenge = None
            if not self.username:
                raise AuthFailed(f"{self.safe_url}: camera requires credentials (HTTP 401)")
            challenge = pick_challenge(parse_challenges(headers))
            if challenge is None:
                raise AuthFailed(f"{self.safe_url}: HTTP 401 without a Basic or Digest challenge")
            self.challenge, self.nonce_count = challenge, 0
            response = self._send()
            if response.status_code == 401:
                response.close()
                self.challenge = None
                raise AuthFailed(f"{self.safe_url}: camera rejected the credentials (HTTP 401)")
        status = response.status_code
        if status == 200:
            return response
        response.close()
        if status == 403:
            raise AuthFailed(f"{self.safe_url}: access forbidden (HTTP 403)")
        if status == 404:
            raise CameraUnreachable(f"{self.safe_url}: snapshot path not found (HTTP 404)")
        if status >= 500:
            raise CameraUnreachable(f"{self.safe_url}: camera error (HTTP {status})")
        raise CameraUnreachable(f"{self.safe_url}: unexpected HTTP {status}")

    def _send(self) -> requests.Response:
        left = self.deadline.check(f"{self.safe_url}: request")
        headers = {"User-Agent": _USER_AGENT, "Accept": "image/jpeg, multipart/x-mixed-replace"}
        if self.challenge is not None:
            try:
                # Reusing a digest nonce needs a growing nonce count, or cameras see a replay.
                self.nonce_count += 1
                headers["Authorization"] = authorization_for(
                    self.challenge,
                    "GET",
                    self.path_url,
                    self.username,
                    self.password,
                    self.nonce_count,
                )
            except ValueError as exc:
                raise AuthFailed(f"{self.safe_url}: {exc}") from None
        try:
            response = self.session.get(
                self.url, headers=headers, timeout=(left, left), stream=True
            )
        except requests.exceptions.RequestException as exc:
            raise self._failure(exc) from None
        if self.watchdog.fired:
            response.close()
            raise self._timeout("no answer")
        return response

    def _timeout(self, what: str) -> CaptureTimeout:
        return CaptureTimeout(f"{self.safe_url}: {what} within {self.deadline.seconds:g} s")

    def _failure(self, exc: requests.exceptions.RequestException) -> Exception:
        """The typed error for a failed request (a watchdog shutdown is the deadline)."""
        if self.watchdog.fired or isinstance(exc, _TIMEOUT_ERRORS):
            return self._timeout("no answer")
        if isinstance(exc, requests.exceptions.SSLError):
            return CameraUnreachable(f"{self.safe_url}: TLS handshake failed")
        if isinstance(exc, requests.exceptions.TooManyRedirects):
            return CameraUnreachable(f"{self.safe_url}: too many redirects")
        if isinstance(exc, requests.exceptions.ConnectionError):
            return CameraUnreachable(f"{self.safe_url}: {_reason(exc)}")
        return CameraUnreachable(f"{self.safe_url}: {type(exc).__name__}")

    def read_chunk(self, response: requests.Response, what: str) -> bytes:
        """At most one socket read, never blocking past the deadline; b'' at end of body."""
        left = self.deadline.check(f"{self.safe_url}: {what}")
        connection = response.raw.connection
        sock = getattr(connection, "sock", None)
        if sock is not None:
            sock.settimeout(left)
        try:
            chunk = response.raw.read1(_CHUNK) or b""
        except _TIMEOUT_ERRORS:
            raise self._timeout(f"{what} stalled; no frame") from None
        except (urllib3.exceptions.ProtocolError, OSError) as exc:
            if self.watchdog.fired:
                raise self._timeout(f"{what} stalled; no frame") from None
            if isinstance(exc, urllib3.exceptions.ProtocolError) and "IncompleteRead" in str(exc):
                raise NotAnImage(f"{self.safe_url}: connection closed mid-image") from None
            raise CameraUnreachable(f"{self.safe_url}: connection lost during {what}") from None
        if self.watchdog.fired:
            raise self._timeout(f"{what} stalled; no frame")
        return chunk

    def read_image(self, response: requests.Response) -> NDArray[np.uint8]:
        """Read a single-image body (bounded by MAX_IMAGE_BYTES) and decode it."""
        declared = response.headers.get("Content-Length")
        expected = int(declared) if declared and declared.isdigit() else None
        if expected is not None and expected > MAX_IMAGE_BYTES:
            raise NotAnImage(f"{self.safe_url}: body of {expected} bytes exceeds the limit")
        body = bytearray()
        while True:
            chunk = self.read_chunk(response, "reading the image")
            if not chunk:
                break
            body += chunk
            if len(body) > MAX_IMAGE_BYTES:
                raise NotAnImage(f"{self.safe_url}: body exceeds {MAX_IMAGE_BYTES} bytes")
            if expected is not None and len(body) >= expected:
                break
        if expected is not None and len(body) < expected:
            raise NotAnImage(f"{self.safe_url}: truncated body ({len(body)} of {expected} bytes)")
        content_type = response.headers.get("Content-Type", "?")
        return decode_image(
            bytes(body), f"{self.safe_url} ({content_type})", self.address.min_long_side
        )

    def read_mjpeg(
        self, response: requests.Response, frames: int, interval_s: float
    ) -> list[NDArray[np.uint8]]:
        """Take `frames` parts from one open MJPEG stream, `interval_s` apart."""
        boundary = boundary_from_content_type(response.headers.get("Content-Type", ""))
        parser = MultipartJpegParser(boundary)
        taken: list[NDArray[np.uint8]] = []
        next_at = 0.0
        while len(taken) < frames:
            chunk = self.read_chunk(response, "reading the MJPEG stream")
            if not chunk:
                raise StreamEnded(f"{self.safe_url}: MJPEG stream ended after {len(taken)} frames")
            for part in parser.feed(chunk):
                # Parts that arrive before the next slot are dropped undecoded (cheap).
                if time.monotonic() < next_at or len(taken) >= frames:
                    continue
                taken.append(
                    decode_image(part, f"{self.safe_url} (MJPEG part)", self.address.min_long_side)
                )
                next_at = time.monotonic() + interval_s
        return taken


def _reason(exc: requests.exceptions.ConnectionError) -> str:
    """A short, credential-free cause for a failed connection."""
    text = str(exc)
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "NameResolutionError" in text:
        return "unknown host"
    if "No route to host" in text or "Network is unreachable" in text:
        return "no route to host"
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "connection closed without a response"
    return "connection failed"


def capture_http(
    address: CameraAddress, deadline: Deadline, frames: int, interval_s: float
) -> list[NDArray[np.uint8]]:
    """Capture `frames` BGR frames from an HTTP snapshot URL or MJPEG stream."""
    if needs_resolver(address.url):
        return run_with_deadline(
            lambda: _capture_http(address, deadline, frames, interval_s),
            deadline,
            redact_url(address.url),
        )
    return _capture_http(address, deadline, frames, interval_s)


def _capture_http(
    address: CameraAddress, deadline: Deadline, frames: int, interval_s: float
) -> list[NDArray[np.uint8]]:
    camera = _HttpCamera(address, deadline)
    try:
        taken: list[NDArray[np.uint8]] = []
        while len(taken) < frames:
            started = time.monotonic()
            response = camera.get()
            try:
                content_type = response.headers.get("Content-Type", "").lower()
                if content_type.startswith("multipart/"):
                    return taken + camera.read_mjpeg(response, frames - len(taken), interval_s)
                taken.append(camera.read_image(response))
            finally:
                response.close()
            if len(taken) < frames:
                pause = started + interval_s - time.monotonic()
                if pause > deadline.remaining():
                    raise CaptureTimeout(f"{camera.safe_url}: burst does not fit the deadline")
                if pause > 0:
                    time.sleep(pause)
        return taken
    finally:
        camera.close()
