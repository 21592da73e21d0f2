"""The box's local queue: SQLite in WAL mode, one evidence JPEG per record beside it.

Every record gets its sequence number and chain hash in the same transaction that stores it,
so a kill at any point leaves either no record or a whole one (an evidence file written for a
record that never committed is removed at the next start). A record stays queued until the
server acknowledges it; only then is its evidence deleted (the server holds the picture).

Full disk: the oldest queued evidence goes first (its record, the counts, stays and is still
sent); acknowledged records are kept ACKED_KEEP_DAYS for `status`, then purged.
"""

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agents.domain import GENESIS_HASH, record_hash

ACKED_KEEP_DAYS = 30
# Evidence kept on the box while unsent, at most; beyond it the oldest goes first.
DEFAULT_EVIDENCE_CAP_BYTES = 200 * 1024 * 1024
# Free space the box keeps for the database itself.
MIN_FREE_BYTES = 20 * 1024 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    sequence INTEGER PRIMARY KEY,
    camera INTEGER NOT NULL,
    slot TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    payload TEXT NOT NULL,
    evidence TEXT,
    evidence_bytes INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'queued',
    refusal TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (camera, slot)
);
CREATE INDEX IF NOT EXISTS records_state ON records (state, sequence);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS day_counters (
    day TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (day, name)
);
"""


@dataclass(frozen=True)
class QueuedRecord:
    sequence: int
    previous_hash: str
    hash: str
    payload: dict[str, Any]
    evidence_path: Path | None


class Store:
    """The queue in `home` (queue.sqlite3 and evidence/)."""

    def __init__(self, home: Path, evidence_cap_bytes: int = DEFAULT_EVIDENCE_CAP_BYTES) -> None:
        self.home = home
        self.evidence_dir = home / "evidence"
        self.evidence_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.evidence_cap_bytes = evidence_cap_bytes
        self.db = sqlite3.connect(home / "queue.sqlite3", timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        self._remove_orphan_evidence()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- meta -----------------------------------------------------------------------------

    def get(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def put(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def chain_head(self) -> tuple[int, str]:
        return int(self.get("last_sequence", "0")), self.get("last_hash", GENESIS_HASH)

    def continue_chain(self, sequence: int, last_hash: str) -> None:
        """At enrolment: the server's chain head, when it is ahead of this (new) box."""
        with self._write():
            if sequence > self.chain_head()[0]:
                self.put("last_sequence", str(sequence))
                self.put("last_hash", last_hash or GENESIS_HASH)

    def day_count(self, day: str, name: str) -> int:
        row = self.db.execute(
            "SELECT value FROM day_counters WHERE day = ? AND name = ?", (day, name)
        ).fetchone()
        return int(row[0]) if row else 0

    def add_to_day(self, day: str, name: str, amount: int) -> None:
        self.db.execute(
            "INSERT INTO day_counters (day, name, value) VALUES (?, ?, ?) "
            "ON CONFLICT (day, name) DO UPDATE SET value = value + excluded.value",
            (day, name, amount),
        )

    # --- records ----------------------------------------------------------------------------

    def has_slot(self, camera: int, slot: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM records WHERE camera = ? AND slot = ?", (camera, slot)
        ).fetchone()
        return row is not None

    def append(
        self,
        payload: Mapping[str, Any],
        evidence: bytes | None,
        now: datetime,
        *,
        evidence_day: str = "",
    ) -> int | None:
        """Queue one record (None: its camera and slot are queued already, e.g. a check redone
        after a kill). The payload must be JSON values; it is hashed as the server will."""
        plain: dict[str, Any] = json.loads(json.dumps(payload))
        camera, slot = int(plain["camera"]), str(plain["slot"])
        try:
            return self._append(plain, camera, slot, evidence, now, evidence_day)
        except sqlite3.OperationalError as exc:
            if "full" not in str(exc):
                raise
            # A full disk: make room from the oldest evidence, then keep at least the counts.
            self.make_room(extra_bytes=len(evidence or b"") + MIN_FREE_BYTES)
            return self._append(plain, camera, slot, None, now, evidence_day)

    def _append(
        self,
        payload: dict[str, Any],
        camera: int,
        slot: str,
        evidence: bytes | None,
        now: datetime,
        evidence_day: str,
    ) -> int | None:
        with self._write() as db:
            if self.has_slot(camera, slot):
                return None
            sequence, previous = self.chain_head()
            sequence += 1
            digest = record_hash(previous, payload)
            path = None
            if evidence is not None:
                path = self._write_evidence(sequence, evidence)
                if path is None:
                    self.add_to_day(evidence_day or slot[:10], "evidence_dropped", 1)
            db.execute(
                "INSERT INTO records (sequence, camera, slot, previous_hash, hash, payload, "
                "evidence, evidence_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sequence,
                    camera,
                    slot,
                    previous,
                    digest,
                    json.dumps(payload, sort_keys=True),
                    path.name if path else None,
                    len(evidence) if path and evidence else 0,
                    now.astimezone(UTC).isoformat(),
                ),
            )
            self.put("last_sequence", str(sequence))
            self.put("last_hash", digest)
            if path is not None and evidence is not None:
                self.add_to_day(evidence_day or slot[:10], "evidence_bytes", len(evidence))
        return sequence

    def _write_evidence(self, sequence: int, jpeg: bytes) -> Path | None:
        """Write the picture durably (tmp, fsync, rename); None when the disk has no room."""
        self.make_room(extra_bytes=len(jpeg))
        final = self.evidence_dir / f"{sequence}.jpg"
        tmp = final.with_suffix(".tmp")
        try:
            with open(tmp, "wb") as handle:
                handle.write(jpeg)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, final)
        except OSError:
            tmp.unlink(missing_ok=True)
            return None
        os.chmod(final, 0o600)
        return final

    def pending(self, limit: int) -> list[QueuedRecord]:
        """The oldest records not yet acknowledged, in sequence order."""
        rows = self.db.execute(
            "SELECT sequence, previous_hash, hash, payload, evidence FROM records "
            "WHERE state = 'queued' ORDER BY sequence LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            QueuedRecord(
                seq, prev, digest, json.loads(payload), self.evidence_dir / ev if ev else None
            )
            for seq, prev, digest, payload, ev in rows
        ]

    def mark(self, acknowledged: list[int], refused: list[tuple[int, str]]) -> None:
        """Record the server's answers; acknowledged evidence is deleted (the server has it)."""
        with self._write() as db:
            for sequence in acknowledged:
                self._drop_evidence(sequence)
                db.execute(
                    "UPDATE records SET state = 'acked', evidence = NULL WHERE sequence = ?",
                    (sequence,),
                )
            for sequence, reason in refused:
                db.execute(
                    "UPDATE records SET state = 'refused', refusal = ? WHERE sequence = ?",
                    (reason[:200], sequence),
                )

    def _drop_evidence(self, sequence: int) -> None:
        row = self.db.execute(
            "SELECT evidence FROM records WHERE sequence = ?", (sequence,)
        ).fetchone()
        if row and row[0]:
            (self.evidence_dir / row[0]).unlink(missing_ok=True)

    def make_room(self, extra_bytes: int = 0) -> int:
        """Delete the oldest queued evidence until the cap and the free space allow
        `extra_bytes` more; their records (the counts) stay. Returns the pictures deleted."""
        dropped = 0
        while True:
            used = self.evidence_bytes()
            free = shutil.disk_usage(self.home).free
            fits = used + extra_bytes <= self.evidence_cap_bytes
            if fits and free - extra_bytes >= MIN_FREE_BYTES:
                return dropped
            row = self.db.execute(
                "SELECT sequence, evidence, slot FROM records WHERE evidence IS NOT NULL "
                "ORDER BY sequence LIMIT 1"
            ).fetchone()
            if row is None:
                return dropped
            (self.evidence_dir / row[1]).unlink(missing_ok=True)
            self.db.execute(
                "UPDATE records SET evidence = NULL, evidence_bytes = 0 WHERE sequence = ?",
                (row[0],),
            )
            self.add_to_day(row[2][:10], "evidence_dropped", 1)
            dropped += 1

    def evidence_bytes(self) -> int:
        row = self.db.execute(
            "SELECT COALESCE(SUM(evidence_bytes), 0) FROM records WHERE evidence IS NOT NULL"
        ).fetchone()
        return int(row[0])

    def queue_depth(self) -> int:
        return int(
            self.db.execute("SELECT COUNT(*) FROM records WHERE state = 'queued'").fetchone()[0]
        )

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT state, COUNT(*) FROM records GROUP BY state").fetchall()
        return {state: int(n) for state, n in rows}

    def disk_used_bytes(self) -> int:
        total = 0
        for path in self.home.rglob("*"):
            if path.is_file():
                total += path.stat().st_size
        return total

    def purge_acknowledged(self, now: datetime) -> int:
        cutoff = (now - timedelta(days=ACKED_KEEP_DAYS)).astimezone(UTC).isoformat()
        cursor = self.db.execute(
            "DELETE FROM records WHERE state = 'acked' AND created_at < ? AND sequence < ?",
            (cutoff, self.chain_head()[0]),
        )
        return cursor.rowcount

    def _remove_orphan_evidence(self) -> None:
        """Files of records that never committed (a kill between the file and the row)."""
        known = {
            row[0]
            for row in self.db.execute("SELECT evidence FROM records WHERE evidence IS NOT NULL")
        }
        for path in self.evidence_dir.iterdir():
            if path.name not in known:
                path.unlink(missing_ok=True)
