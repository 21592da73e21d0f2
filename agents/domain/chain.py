"""The per-agent hash chain: every record carries a sequence number and the hash of the one
before it, so the server sees a missing, reordered, edited or replayed record.

    hash(n) = sha256(hash(n-1) + canonical_json(payload(n)))     hash(0) = GENESIS_HASH

A record is identified twice: by its sequence number (the chain) and by its natural key
(camera, slot) - the key the server's own checks use, so a record sent twice changes nothing.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """The one byte form of a payload both sides hash: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(previous_hash: str, payload: Mapping[str, Any]) -> str:
    """The chain hash of a record whose predecessor hashed to `previous_hash`."""
    return hashlib.sha256(previous_hash.encode("ascii") + canonical_json(payload)).hexdigest()


class ChainFinding(StrEnum):
    """What the server makes of one received record."""

    NEW = "new"  # the next record of the chain (or a later one, see GAP)
    GAP = "gap"  # new, but records before it are missing (warned; kept)
    LATE = "late"  # fills an earlier gap: arrived out of order (warned; kept)
    DUPLICATE = "duplicate"  # this very record was received before (acknowledged; no change)
    EDITED = "edited"  # a sequence number received before, with other content (refused)
    BROKEN = "broken"  # its hash does not follow from its content and predecessor (refused)
    REPLAYED = "replayed"  # a new sequence number for a (camera, slot) already recorded (refused)


# Findings that keep the record (its observation is written); the others leave it out.
KEPT = frozenset({ChainFinding.NEW, ChainFinding.GAP, ChainFinding.LATE})
# Findings that are tamper evidence (or a lost record) and go to the audit log.
WARNED = frozenset(
    {
        ChainFinding.GAP,
        ChainFinding.LATE,
        ChainFinding.EDITED,
        ChainFinding.BROKEN,
        ChainFinding.REPLAYED,
    }
)


@dataclass(frozen=True)
class ReceivedRecord:
    sequence: int
    previous_hash: str
    hash: str
    natural_key: tuple[int, str]  # (camera id, slot as ISO UTC)
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class StoredReceipt:
    """A record the server received earlier from the same agent."""

    sequence: int
    hash: str
    natural_key: tuple[int, str]


@dataclass(frozen=True)
class ChainVerdict:
    sequence: int
    finding: ChainFinding
    detail: str = ""

    @property
    def kept(self) -> bool:
        return self.finding in KEPT

    @property
    def warned(self) -> bool:
        return self.finding in WARNED


def verify_chain(
    records: Sequence[ReceivedRecord],
    receipts: Mapping[int, StoredReceipt],
    keys_seen: Mapping[tuple[int, str], int],
    last_sequence: int,
) -> list[ChainVerdict]:
    """Judge each record of a batch against what the server holds of the agent's chain.

    `receipts` holds the stored receipts of the batch's sequence numbers and of their
    predecessors; `keys_seen` maps natural keys already recorded for this agent to their
    sequence; `last_sequence` is the highest sequence number received so far. Records are
    judged in sequence order, each also against the batch's earlier records. Pure and
    deterministic: the same batch against the same state gives the same answers.
    """
    known = dict(receipts)
    keys = dict(keys_seen)
    highest = last_sequence
    verdicts: list[ChainVerdict] = []
    for record in sorted(records, key=lambda r: r.sequence):
        verdict = _judge(record, known, keys, highest)
        verdicts.append(verdict)
        if verdict.kept:
            known[record.sequence] = StoredReceipt(record.sequence, record.hash, record.natural_key)
            keys[record.natural_key] = record.sequence
            highest = max(highest, record.sequence)
    return verdicts


def _judge(
    record: ReceivedRecord,
    known: Mapping[int, StoredReceipt],
    keys: Mapping[tuple[int, str], int],
    highest: int,
) -> ChainVerdict:
    sequence = record.sequence
    stored = known.get(sequence)
    consistent = record_hash(record.previous_hash, record.payload) == record.hash
    if stored is not None:
        if stored.hash == record.hash and consistent:
            return ChainVerdict(sequence, ChainFinding.DUPLICATE)
        return ChainVerdict(sequence, ChainFinding.EDITED, "content differs from the first copy")
    if sequence < 1 or not consistent:
        return ChainVerdict(sequence, ChainFinding.BROKEN, "hash does not match the content")
    before = GENESIS_HASH if sequence == 1 else None
    predecessor = known.get(sequence - 1)
    if predecessor is not None:
        before = predecessor.hash
    if before is not None and before != record.previous_hash:
        return ChainVerdict(sequence, ChainFinding.BROKEN, f"does not follow record {sequence - 1}")
    if record.natural_key in keys:
        return ChainVerdict(
            sequence,
            ChainFinding.REPLAYED,
            f"same camera and slot as record {keys[record.natural_key]}",
        )
    if sequence <= highest:
        return ChainVerdict(sequence, ChainFinding.LATE, f"arrived after record {highest}")
    if sequence > highest + 1:
        missing = f"{highest + 1}" if sequence == highest + 2 else f"{highest + 1}-{sequence - 1}"
        return ChainVerdict(sequence, ChainFinding.GAP, f"records {missing} missing")
    return ChainVerdict(sequence, ChainFinding.NEW)
