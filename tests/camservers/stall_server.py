"""Raw TCP servers that misbehave below HTTP/RTSP: accept and never answer, or answer only the
first RTSP DESCRIBE (so a source's probe passes and FFmpeg's own handshake then stalls)."""

from __future__ import annotations

import socket
import threading

_DESCRIBE_OK = (
    b"RTSP/1.0 200 OK\r\nCSeq: %s\r\nContent-Type: application/sdp\r\nContent-Length: 0\r\n\r\n"
)


class StallServer:
    """Listens on 127.0.0.1:<free port>. `answer_first_describe=False`: every connection is
    accepted and left silent. True: the first connection's DESCRIBE gets 200, the rest hang."""

    def __init__(self, *, answer_first_describe: bool = False) -> None:
        self.answer_first_describe = answer_first_describe
        self.accepted = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = int(self._listener.getsockname()[1])
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="stall-server", daemon=True)

    def url(self, scheme: str = "rtsp", path: str = "/stream") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def start(self) -> StallServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._connections:
            conn.close()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            self._connections.append(conn)
            if self.answer_first_describe and self.accepted == 1:
                threading.Thread(target=self._answer_describe, args=(conn,), daemon=True).start()

    def _answer_describe(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
        except OSError:
            return
        cseq = b"1"
        for line in data.split(b"\r\n"):
            if line.lower().startswith(b"cseq:"):
                cseq = line.split(b":", 1)[1].strip()
        conn.sendall(_DESCRIBE_OK % cseq)
