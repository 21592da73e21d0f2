"""A hostile "camera" on loopback: every way a camera (or someone posing as one) can try to hold
a check past its deadline or blow up a worker's memory.

Raw sockets, one thread per connection, so a case can drip single bytes or hang mid-header::

    server = HostileCamera().start()
    server.url("/header-drip")
    server.stop()
"""

from __future__ import annotations

import socket
import threading
import zlib
from functools import cache

import cv2
import numpy as np

DRIP_SECONDS = 2.0
REDIRECT_DELAY_SECONDS = 2.0
BOMB_SIDE = 16000

PATHS = (
    "/hang-after-headers",
    "/header-drip",
    "/body-drip",
    "/endless-body",
    "/huge-length",
    "/slow-redirect",
    "/redirect-loop",
    "/bomb.png",
    "/bomb.jpg",
    "/html",
    "/garbage",
    "/mjpeg-drip",
)


@cache
def png_bomb(side: int = BOMB_SIDE) -> bytes:
    """A valid PNG of side x side RGB black pixels: about 746 KB that decode to 768 MB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = side.to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    compressor = zlib.compressobj(9)
    row = bytes(1 + 3 * side)  # filter byte 0, then black pixels
    parts = [compressor.compress(row) for _ in range(side)]
    parts.append(compressor.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


@cache
def jpeg_bomb(side: int = 60000) -> bytes:
    """A small real JPEG whose start-of-frame header claims side x side pixels."""
    ok, encoded = cv2.imencode(".jpg", np.zeros((16, 16, 3), np.uint8))
    assert ok
    data = bytearray(encoded.tobytes())
    position = 2
    while data[position + 1] not in (0xC0, 0xC2):
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    data[position + 5 : position + 7] = side.to_bytes(2, "big")
    data[position + 7 : position + 9] = side.to_bytes(2, "big")
    return bytes(data)


def _headers(status: str, content_type: str, length: int | None = None, **extra: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{name}: {value}" for name, value in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class HostileCamera:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def start(self) -> HostileCamera:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request and len(request) < 65536:
                data = conn.recv(4096)
                if not data:
                    return
                request += data
                if request[:1] == b"\x16":  # a TLS ClientHello: answer with anything but TLS
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\nnot TLS")
                    return
            path = request.split(b" ", 2)[1].decode("latin-1")
            self._respond(conn, path)
        except OSError:
            pass  # the client gave up: that is the point of most cases
        finally:
            conn.close()

    def _hold(self, seconds: float = 60.0) -> None:
        self._stop.wait(seconds)

    def _respond(self, conn: socket.socket, path: str) -> None:
        name, _, query = path.partition("?")
        if name == "/hang-after-headers":
            conn.sendall(_headers("200 OK", "image/jpeg", 50_000))
            self._hold()
        elif name == "/header-drip":
            for byte in _headers("200 OK", "image/jpeg", 50_000):
                conn.sendall(bytes([byte]))
                self._hold(DRIP_SECONDS)
                if self._stop.is_set():
                    return
        elif name == "/body-drip":
            conn.sendall(_headers("200 OK", "image/jpeg", 50_000) + b"\xff\xd8")
            while not self._stop.is_set():
                conn.sendall(b"\x00")
                self._hold(0.5)
        elif name == "/endless-body":
            conn.sendall(_headers("200 OK", "image/jpeg") + b"\xff\xd8")
            block = bytes(256 * 1024)
            while not self._stop.is_set():
                conn.sendall(block)
        elif name == "/huge-length":
            conn.sendall(_headers("200 OK", "image/jpeg", 10**12) + b"\xff\xd8")
            self._hold()
        elif name == "/slow-redirect":
            hop = int(query or 0)
            self._hold(REDIRECT_DELAY_SECONDS)
            conn.sendall(_headers("302 Found", "text/plain", 0, Location=f"{name}?{hop + 1}"))
        elif name == "/redirect-loop":
            conn.sendall(_headers("302 Found", "text/plain", 0, Location=name))
        elif name == "/bomb.png":
            body = png_bomb()
            conn.sendall(_headers("200 OK", "image/png", len(body)) + body)
        elif name == "/bomb.jpg":
            body = jpeg_bomb()
            conn.sendall(_headers("200 OK", "image/jpeg", len(body)) + body)
        elif name == "/html":
            body = b"<!doctype html><title>Login</title><form>password</form>"
            conn.sendall(_headers("200 OK", "text/html", len(body)) + body)
        elif name == "/garbage":
            body = bytes(range(256)) * 64
            conn.sendall(_headers("200 OK", "image/jpeg", len(body)) + body)
        elif name == "/mjpeg-drip":
            boundary = "hostile"
            conn.sendall(_headers("200 OK", f"multipart/x-mixed-replace; boundary={boundary}"))
            conn.sendall(f"--{boundary}\r\nContent-Type: image/jpeg\r\n\r\n\xff".encode("latin-1"))
            while not self._stop.is_set():
                conn.sendall(b"\x00")
                self._hold(0.5)
        else:
            conn.sendall(_headers("404 Not Found", "text/plain", 0))
