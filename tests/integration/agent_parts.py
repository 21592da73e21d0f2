"""Parts of the office agent's end-to-end tests: a TCP proxy the test cuts, the box's queue read
from its SQLite file, and the agent's command line."""

import contextlib
import gzip
import json
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path

BATCH_REQUEST = b"POST /api/v1/agent/batches/"
# What the proxy does with a batch upload (a hook decides for each one).
PASS, LOSE_ANSWER, KILL_SERVER, KILL_BOX = "pass", "lose_answer", "kill_server", "kill_box"


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 whose link the test cuts (every connection reset, new ones
    refused) and restores.

    `on_batch(n)` (n: 1 for the first batch upload through the proxy) may answer LOSE_ANSWER
    (the server keeps the batch, its answer never reaches the box: the box sends it again) or
    KILL_SERVER (`kill_server()` runs once the request is on its way, before any answer) or
    KILL_BOX (the server gets half the body, then `kill_box(token)`: the box that sends it dies
    mid-upload).
    Every batch upload's request bytes are kept in `batches`; `batch_uploads()` reads them."""

    def __init__(
        self,
        target_port: int,
        on_batch: Callable[[int], str] | None = None,
        kill_server: Callable[[], None] | None = None,
        kill_box: Callable[[str], None] | None = None,
    ) -> None:
        self.target_port = target_port
        self.on_batch = on_batch or (lambda n: PASS)
        self.kill_server = kill_server or (lambda: None)
        self.kill_box = kill_box or (lambda token: None)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.batches: list[bytearray] = []
        self.actions: list[str] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:  # the server is down (restarting): the box sees a reset
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            state: dict[str, object] = {}
            threading.Thread(
                target=self._request, args=(client, upstream, state), daemon=True
            ).start()
            threading.Thread(
                target=self._answer, args=(upstream, client, state), daemon=True
            ).start()

    def _request(self, source: socket.socket, sink: socket.socket, state: dict) -> None:
        try:
            while data := source.recv(65536):
                if not self.up.is_set():
                    break
                kept = state.get("kept")
                if kept is None and data.startswith(BATCH_REQUEST):
                    with self.lock:
                        kept = bytearray()
                        self.batches.append(kept)
                        action = self.on_batch(len(self.batches))
                        self.actions.append(action)
                    state["kept"], state["action"] = kept, action
                if isinstance(kept, bytearray):
                    kept += data
                if state.get("action") == KILL_BOX:
                    # The server gets the headers and half of the body that has come so far,
                    # then the box dies: an upload cut off in the middle, every time.
                    assert isinstance(kept, bytearray)
                    head, _, body = bytes(kept).partition(b"\r\n\r\n")
                    if not body:
                        continue  # the headers came alone: wait for body bytes
                    # (nothing of this request went on before: its first chunk set the action)
                    sink.sendall(bytes(kept)[: len(head) + 4 + len(body) // 2])
                    state["action"] = PASS
                    self.kill_box(token_of(bytes(kept)))
                    break
                sink.sendall(data)
                if state.get("action") == KILL_SERVER:
                    state["action"] = PASS
                    self.kill_server()
        except OSError:
            pass
        self._close(source, sink)

    def _answer(self, source: socket.socket, sink: socket.socket, state: dict) -> None:
        try:
            while data := source.recv(65536):
                if not self.up.is_set() or state.get("action") == LOSE_ANSWER:
                    break
                sink.sendall(data)
        except OSError:
            pass
        self._close(source, sink)

    @staticmethod
    def _close(*sockets: socket.socket) -> None:
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()

    def batch_uploads(self) -> list[tuple[str, tuple[int, ...]]]:
        """(the agent's token, the record sequence numbers) of every batch upload that passed
        whole, in order."""
        found = []
        for raw in self.batches:
            token = token_of(bytes(raw))
            _, _, body = bytes(raw).partition(b"\r\n\r\n")
            with contextlib.suppress(OSError, EOFError, ValueError, KeyError):
                records = json.loads(gzip.decompress(body))["records"]
                found.append((token, tuple(r["sequence"] for r in records)))
        return found

    def cut(self) -> None:
        self.up.clear()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            self.sockets.clear()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


def token_of(request: bytes) -> str:
    """The agent token in an HTTP request's Authorization header ("" if none yet)."""
    head = request.partition(b"\r\n\r\n")[0]
    return next(
        (
            line.split(b" ")[-1].decode()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"authorization:")
        ),
        "",
    )


def box_records(home: Path) -> list[tuple[int, str, str, str]]:
    """(sequence, slot, state, payload) of every record in the box's queue."""
    db = sqlite3.connect(home / "queue.sqlite3")
    try:
        return db.execute(
            "SELECT sequence, slot, state, payload FROM records ORDER BY 1"
        ).fetchall()
    finally:
        db.close()


def agent_command(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "kelurahan_agent", "--home", str(home), *args]
