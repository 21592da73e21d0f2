"""Shared vocabulary of the camera sources: typed errors, the address, deadlines, redaction.

Nothing here imports Django: a source takes a URL, credentials and a timeout and returns a BGR
frame or raises a `CaptureError` whose `code` is stored as the no-data reason.
"""

from __future__ import annotations

import ipaddress
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from cameras.domain.source_url import redact_source_url

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 10.0


class CaptureError(Exception):
    """A capture that produced no frame. `code` is stable and safe to store."""

    code = "capture_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class CameraUnreachable(CaptureError):
    """Refused, unknown host, HTTP 404/5xx, RTSP 404, or no frame for the replay clock."""

    code = "unreachable"


class CaptureTimeout(CaptureError):
    """The per-camera deadline passed before a complete frame arrived."""

    code = "timeout"


class AuthFailed(CaptureError):
    """The camera rejected the credentials (or demanded some and none were given)."""

    code = "auth_failed"


class NotAnImage(CaptureError):
    """The camera answered, but the payload does not decode as an image."""

    code = "not_an_image"


class StreamEnded(CaptureError):
    """The stream or video file ran out before the requested frames were read."""

    code = "stream_ended"


# Fallback for strings urlsplit cannot parse (e.g. a broken port): strip anything before '@'.
_USERINFO_RE = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")


def redact_url(url: str) -> str:
    """Return `url` without userinfo (`***@` instead) and with secret query values as `***`."""
    return redact_source_url(url)


@dataclass(frozen=True, repr=False)
class CameraAddress:
    """Where a camera is and how long one capture may take (`timeout_s`, wall clock seconds).

    Credentials come from `username`/`password` or from the URL's userinfo; the fields win.
    `repr()` never shows the password or URL userinfo.
    """

    url: str
    username: str = ""
    password: str = field(default="", repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S
    # JPEG frames may be decoded smaller, down to this longer side (0: always full size).
    min_long_side: int = 0
    # replay: sources only: sigma (grey levels) of the sensor noise given to every replayed
    # frame, as a live camera has it (0: the recorded pixels exactly).
    sensor_noise: float = 0.0
    # file:// and replay: read the worker's own disk: a deployment enables them (the demo, tests,
    # replays); a row stored before the setting existed must not read files where it is off.
    local_sources: bool = True

    def __repr__(self) -> str:
        return (
            f"CameraAddress(url={redact_url(self.url)!r}, username={self.username!r}, "
            f"timeout_s={self.timeout_s!r})"
        )

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme.lower()

    def credentials(self) -> tuple[str, str]:
        """(username, password): the fields if a username is set, else the URL userinfo."""
        if self.username:
            return self.username, self.password
        parts = urlsplit(self.url)
        return unquote(parts.username or ""), unquote(parts.password or "")

    def url_without_credentials(self) -> str:
        """The URL with userinfo removed (query kept: it is needed to fetch the frame)."""
        parts = urlsplit(self.url)
        host = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))

    def url_with_credentials(self) -> str:
        """The URL with percent-encoded credentials in the userinfo (for FFmpeg)."""
        user, password = self.credentials()
        bare = self.url_without_credentials()
        if not user:
            return bare
        parts = urlsplit(bare)
        userinfo = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
        return urlunsplit((parts.scheme, f"{userinfo}@{parts.netloc}", parts.path, parts.query, ""))

    def secrets(self) -> list[str]:
        """Strings that must never appear in an error message (raw and percent-encoded)."""
        _user, password = self.credentials()
        found = {password, quote(password, safe=""), self.password} - {""}
        return sorted(found, key=len, reverse=True)


def scrub(text: str, secrets: list[str]) -> str:
    """Redact URLs in `text` and replace any literal secret with `***`."""
    text = _USERINFO_RE.sub(r"\g<scheme>***@", text)
    for secret in secrets:
        # A one-character password would shred the message; such cameras get what they deserve.
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


def needs_resolver(url: str) -> bool:
    """True if the URL names a host (not an IP literal). getaddrinfo has no timeout of its
    own (glibc retries for 10 s and more), so such captures run under `run_with_deadline`."""
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host not in ("", "localhost")
    return False


class Deadline:
    """An absolute monotonic deadline; every blocking step asks it for the time left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.monotonic()
        self.at = self.started + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def expired(self) -> bool:
        return self.remaining() <= 0

    def check(self, what: str) -> float:
        """Return the seconds left, or raise CaptureTimeout naming `what` was in progress."""
        left = self.remaining()
        if left <= 0:
            raise CaptureTimeout(f"{what}: no frame within {self.seconds:g} s")
        return left


# Abandoned-worker bookkeeping. A library call that ignores its own timeout (FFmpeg inside
# OpenCV) runs in a daemon thread; at the deadline the caller gives up on it and the thread
# finishes, releasing its capture, when the call finally returns. OpenCV's open/read timeouts
# are set to the same deadline, so that normally happens within seconds. If more than
# MAX_ABANDONED_WORKERS are still stuck, new thread-backed captures fail immediately instead
# of piling up threads and sockets; a Celery child recycled by max_tasks_per_child frees them.
MAX_ABANDONED_WORKERS = 4
_abandoned_lock = threading.Lock()
_abandoned: set[threading.Thread] = set()


def abandoned_worker_count() -> int:
    """How many timed-out capture threads are still running (for tests and health checks)."""
    with _abandoned_lock:
        _abandoned.difference_update([t for t in _abandoned if not t.is_alive()])
        return len(_abandoned)


def run_with_deadline(fn: Callable[[], T], deadline: Deadline, what: str) -> T:
    """Run `fn` in a worker thread and return its result, or raise CaptureTimeout at the deadline.

    `fn` must clean up after itself (release captures in `finally`) because after a timeout
    nobody waits for it. Exceptions raised by `fn` are re-raised here unchanged.
    """
    if abandoned_worker_count() >= MAX_ABANDONED_WORKERS:
        raise CaptureTimeout(f"{what}: {MAX_ABANDONED_WORKERS} earlier captures are still stuck")
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(fn())
        except BaseException as exc:  # handed to the waiting thread, never swallowed
            errors.append(exc)

    worker = threading.Thread(target=target, name="camera-capture", daemon=True)
    worker.start()
    worker.join(max(deadline.remaining(), 0.0))
    if worker.is_alive():
        with _abandoned_lock:
            _abandoned.add(worker)
        raise CaptureTimeout(f"{what}: no frame within {deadline.seconds:g} s")
    if errors:
        raise errors[0]
    return results[0]
