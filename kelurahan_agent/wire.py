"""Talking to the server: enrol, heartbeat, configuration and signed, compressed batches.

Only the standard library (urllib). A batch is the JSON of up to BATCH_SIZE queued records,
signed with the agent's key (HMAC-SHA256 of the uncompressed bytes) and sent gzip-compressed;
the server answers which records it acknowledged or refused, and only those leave the queue,
so an interrupted upload resumes without resending what was acknowledged.
"""

import base64
import gzip
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agents.domain import sign_batch
from kelurahan_agent import __version__
from kelurahan_agent.store import QueuedRecord

BATCH_SIZE = 200
TIMEOUT_S = 30.0


class ServerRefused(Exception):
    """The server answered with an error (`status`, `code`): not a link problem."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code


class LinkDown(Exception):
    """No answer from the server (no route, timeout, reset): try again later."""


def boot_id() -> str:
    """The kernel's id of this boot (monotonic times are comparable within one boot only)."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def contact_fields(queue_depth: int, disk_used_bytes: int, now: datetime) -> dict[str, Any]:
    return {
        "sent_wall": now.astimezone(UTC).isoformat(),
        "boot_id": boot_id(),
        "monotonic": time.monotonic(),
        "queue_depth": queue_depth,
        "disk_used_bytes": disk_used_bytes,
        "version": __version__,
    }


def batch_body(records: list[QueuedRecord], contact: dict[str, Any]) -> bytes:
    """The uncompressed JSON of a batch (what is signed)."""
    wire = []
    for record in records:
        evidence = None
        if record.evidence_path is not None:
            try:
                evidence = base64.b64encode(record.evidence_path.read_bytes()).decode("ascii")
            except OSError:
                evidence = None  # dropped for room meanwhile: the counts still go
        wire.append(
            {
                "sequence": record.sequence,
                "previous_hash": record.previous_hash,
                "hash": record.hash,
                "payload": record.payload,
                "evidence": evidence,
            }
        )
    return json.dumps({**contact, "records": wire}, separators=(",", ":")).encode()


@dataclass(frozen=True)
class BatchAnswer:
    acknowledged: list[int]
    refused: list[tuple[int, str]]
    warnings: list[str]
    clock_offset_seconds: float
    sent_bytes: int


class Client:
    def __init__(self, server_url: str, token: str = "", signing_key: str = "") -> None:
        self.base = server_url.rstrip("/") + "/api/v1/agent/"
        self.token = token
        self.key = signing_key.encode()

    def _request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        all_headers = {"Accept": "application/json", **(headers or {})}
        if self.token:
            all_headers["Authorization"] = f"Agent {self.token}"
        request = urllib.request.Request(  # noqa: S310 - the enrolled server's URL
            self.base + path, data=body, method=method, headers=all_headers
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
                return dict(json.loads(response.read() or b"{}"))
        except urllib.error.HTTPError as exc:
            try:
                error = json.loads(exc.read()).get("error", {})
            except (ValueError, AttributeError):
                error = {}
            raise ServerRefused(
                exc.code, str(error.get("code", "error")), str(error.get("message", exc.reason))
            ) from exc
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise LinkDown(str(exc)) from exc

    def _json(self, method: str, path: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._request(
            method, path, json.dumps(data).encode(), {"Content-Type": "application/json"}
        )

    def enrol(self, code: str) -> dict[str, Any]:
        return self._json("POST", "enrol/", {"code": code, "version": __version__})

    def configuration(self) -> dict[str, Any]:
        return self._request("GET", "config/")

    def heartbeat(self, contact: dict[str, Any]) -> dict[str, Any]:
        return self._json("POST", "heartbeat/", contact)

    def upload(self, records: list[QueuedRecord], contact: dict[str, Any]) -> BatchAnswer:
        body = batch_body(records, contact)
        compressed = gzip.compress(body, compresslevel=9)
        answer = self._request(
            "POST",
            "batches/",
            compressed,
            {
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                "X-Agent-Signature": sign_batch(self.key, body),
            },
        )
        return BatchAnswer(
            acknowledged=[int(s) for s in answer.get("acknowledged", [])],
            refused=[(int(r["sequence"]), str(r["reason"])) for r in answer.get("refused", [])],
            warnings=[str(w) for w in answer.get("warnings", [])],
            clock_offset_seconds=float(answer.get("clock_offset_seconds", 0.0)),
            sent_bytes=len(compressed),
        )
