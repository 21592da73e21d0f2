"""Office agents on the server: enrolment, configuration, heartbeats and batch ingest.

A batch is checked (signature, chain, timeline) against what the server holds of the agent;
the records it keeps are written into their observation slots through the cameras service
(cameras.services.record_forwarded_readings), by the natural key (camera, slot), so compliance's
tick recomputes the days they belong to. Everything a batch does happens in one transaction
with the agent's row locked: two copies of the same batch arriving at once cannot both count.
"""

import base64
import binascii
import hashlib
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from agents import domain
from agents.domain import plan_inputs
from agents.models import Agent, AgentRecord, AgentWarning, EnrolmentCode
from cameras.models import Camera
from cameras.services import CheckReading, ForwardedReading, record_forwarded_readings
from compliance.domain import CheckPolicy
from places.calendar import load_calendars, zone_of
from places.models import AuditLogEntry, Office

logger = logging.getLogger(__name__)

ENROLMENT_CODE_LIFETIME = timedelta(hours=24)
# The plan inputs sent ahead, in days (the box keeps checking this long without a link).
PLAN_DAYS_AHEAD = 21
MAX_RECORDS_PER_BATCH = 2000


class AgentRefused(Exception):
    """A request the server refuses; `code` is machine-readable, the message says why."""

    code = "refused"


class EnrolmentRefused(AgentRefused):
    code = "enrolment_refused"


class SignatureRefused(AgentRefused):
    code = "bad_signature"


class BatchMalformed(AgentRefused):
    code = "malformed_batch"


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def serving_office_ids() -> set[int]:
    """Offices whose checks an office agent does (the server does not reach their cameras)."""
    return set(Agent.objects.filter(retired_at__isnull=True).values_list("office_id", flat=True))


# --- Enrolment --------------------------------------------------------------------------------


def issue_enrolment_code(agent: Agent, now: datetime) -> str:
    """A new one-time code for `agent` (shown once; valid ENROLMENT_CODE_LIFETIME)."""
    code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
    EnrolmentCode.objects.create(
        agent=agent, code_hash=hash_secret(code), expires_at=now + ENROLMENT_CODE_LIFETIME
    )
    return code


@dataclass(frozen=True)
class Enrolment:
    agent: Agent
    token: str
    signing_key: str


def enrol_agent(code: str, now: datetime) -> Enrolment:
    """Exchange a one-time code for the agent's token and signing key (both shown only now).

    The code is taken with a conditional UPDATE: of two boxes racing with the same code one
    wins. A new enrolment replaces the previous token; the chain continues where it stood.
    """
    found = (
        EnrolmentCode.objects.select_related("agent")
        .filter(code_hash=hash_secret(code.strip().upper()))
        .first()
    )
    if found is None or found.expires_at <= now or found.used_at is not None:
        raise EnrolmentRefused(_("Kode pendaftaran tidak dikenal, sudah dipakai atau kedaluwarsa."))
    agent = found.agent
    if agent.revoked_at is not None or agent.retired_at is not None:
        raise EnrolmentRefused(_("Agen ini sudah dicabut."))
    with transaction.atomic():
        taken = EnrolmentCode.objects.filter(pk=found.pk, used_at__isnull=True).update(used_at=now)
        if not taken:
            raise EnrolmentRefused(_("Kode pendaftaran sudah dipakai."))
        token = secrets.token_urlsafe(32)
        key = secrets.token_hex(32)
        agent.token_hash = hash_secret(token)
        agent.signing_key = key
        agent.enrolled_at = now
        agent.last_contact_at = now
        agent.save(update_fields=["token_hash", "signing_key", "enrolled_at", "last_contact_at"])
        _audit(agent, "agent_enrolled", _("Agen kantor %(agent)s terdaftar") % {"agent": agent})
    return Enrolment(agent, token, key)


def agent_for_token(token: str) -> Agent | None:
    """The serving agent holding this token (revoked or unknown: None)."""
    if not token:
        return None
    return (
        Agent.objects.select_related("office__kecamatan__local_government")
        .filter(token_hash=hash_secret(token), revoked_at__isnull=True, retired_at__isnull=True)
        .order_by()  # at most one row: no join to sort by the office's code
        .first()
    )


def revoke_agent(agent: Agent, now: datetime) -> None:
    """Refuse the agent's token from now on (a lost or tampered box)."""
    Agent.objects.filter(pk=agent.pk).update(revoked_at=now, token_hash="")
    _audit(agent, "agent_revoked", _("Token agen kantor %(agent)s dicabut") % {"agent": agent})


def retire_agent(agent: Agent, now: datetime) -> None:
    """The office goes back to "camera reached by the server"; its history stays."""
    Agent.objects.filter(pk=agent.pk).update(retired_at=now, revoked_at=now, token_hash="")
    _audit(agent, "agent_retired", _("Agen kantor %(agent)s dihentikan") % {"agent": agent})


# --- Configuration ----------------------------------------------------------------------------


def office_policy(office: Office) -> CheckPolicy:
    """The office's check policy, as compliance's tick uses it."""
    return CheckPolicy(
        opening_interval=timedelta(minutes=office.opening_interval_minutes),
        open_checks_needed=office.open_checks_needed,
        coverage_threshold=office.coverage_threshold,
        after_hours_checks=office.after_hours_checks,
        night_checks=office.night_checks,
    )


def agent_configuration(agent: Agent, now: datetime) -> dict[str, Any]:
    """What the box needs to check on its own: the office, its cameras with zones, the policy
    and the resolved office days of the coming PLAN_DAYS_AHEAD days. Never a camera address
    or credential: those are entered on the box and stay there."""
    office = Office.objects.select_related("kecamatan__local_government").get(pk=agent.office_id)
    zone = zone_of(office)
    today = now.astimezone(zone).date()
    last = today + timedelta(days=PLAN_DAYS_AHEAD)
    calendars = load_calendars([office], today - timedelta(days=1), last)
    days = [
        plan_inputs.office_day_to_dict(calendars.office_day(office, today + timedelta(days=n)))
        for n in range(-1, PLAN_DAYS_AHEAD + 1)
    ]
    cameras = [
        {
            "id": camera.pk,
            "name": camera.name,
            "staff_zone": camera.staff_zone,
            "ignore_zones": camera.ignore_zones,
            "reference_signature": camera.reference_signature,
            "burst_frames": camera.burst_frames,
            "burst_interval_seconds": camera.burst_interval_seconds,
            "timeout_seconds": camera.timeout_seconds,
            "detector": camera.detector,
        }
        for camera in Camera.objects.filter(office=office, enabled=True).order_by("pk")
    ]
    body = {
        "office": {
            "id": office.pk,
            "code": office.code,
            "name": office.name,
            "time_zone": zone.key,
        },
        "policy": plan_inputs.policy_to_dict(office_policy(office)),
        "days": days,
        "cameras": cameras,
        "evidence_budget_bytes": settings.AGENT_EVIDENCE_BUDGET_BYTES,
    }
    version = hashlib.sha256(domain.canonical_json(body)).hexdigest()[:16]
    return {
        **body,
        "agent": {"id": agent.pk, "name": agent.name},
        "config_version": version,
        "chain": {"last_sequence": agent.last_sequence, "last_hash": agent.last_hash},
    }


# --- Contact: heartbeat and the clocks ---------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """What a box says about itself at every contact."""

    agent_wall: datetime
    boot_id: str
    monotonic: float
    queue_depth: int = 0
    disk_used_bytes: int = 0
    version: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Contact":
        try:
            wall = datetime.fromisoformat(str(data["sent_wall"]))
            if wall.tzinfo is None:
                raise ValueError("sent_wall needs a zone")
            return cls(
                agent_wall=wall,
                boot_id=str(data.get("boot_id", ""))[:64],
                monotonic=float(data.get("monotonic", 0.0)),
                queue_depth=max(0, int(data.get("queue_depth", 0))),
                disk_used_bytes=max(0, int(data.get("disk_used_bytes", 0))),
                version=str(data.get("version", ""))[:40],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BatchMalformed(f"bad contact fields: {exc}") from exc


def record_contact(agent: Agent, contact: Contact, now: datetime, **chain_head: object) -> float:
    """Store the box's health and its clock offset (server minus box, seconds); with a batch,
    the new head of its chain in the same write."""
    offset = (now - contact.agent_wall).total_seconds()
    Agent.objects.filter(pk=agent.pk).update(
        last_contact_at=now,
        clock_offset_seconds=round(offset, 3),
        queue_depth=contact.queue_depth,
        disk_used_bytes=contact.disk_used_bytes,
        version=contact.version or agent.version,
        **chain_head,
    )
    return offset


# --- Batches ------------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    acknowledged: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    written: int = 0
    warnings: list[str] = field(default_factory=list)
    clock_offset_seconds: float = 0.0


def accept_batch(agent: Agent, body: bytes, signature: str, now: datetime) -> BatchOutcome:
    """Check and keep one batch of `agent` (`body`: the uncompressed JSON it signed).

    Refuses the whole batch on a bad signature (SignatureRefused, recorded as a warning) or a
    malformed body (BatchMalformed). Otherwise every record gets an answer: acknowledged
    (kept now or received before: the box may forget it) or refused with the reason (edited,
    broken chain, replayed slot, from the future, a camera of another office); gaps and late
    records are kept and warned about. Idempotent: the same batch again changes nothing.
    """
    if not domain.signature_matches(agent.signing_key.reveal().encode(), body, signature):
        _warn(agent, now, [("signature", None, "batch signature does not match its content")])
        raise SignatureRefused(_("Tanda tangan paket tidak cocok."))
    data = _parse_batch(body)
    contact = Contact.from_json(data)
    received = [_received_record(raw) for raw in data["records"]]
    with transaction.atomic():
        # The chain head is read under the agent's row lock: two copies of a batch arriving at
        # once are judged one after the other.
        head = (
            Agent.objects.select_for_update()
            .values_list("last_sequence", "last_hash")
            .get(pk=agent.pk)
        )
        agent.last_sequence, agent.last_hash = head
        outcome = _keep_records(agent, contact, received, now)
    return outcome


def _parse_batch(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BatchMalformed(f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise BatchMalformed("a batch is an object with a list of records")
    if len(data["records"]) > MAX_RECORDS_PER_BATCH:
        raise BatchMalformed(f"at most {MAX_RECORDS_PER_BATCH} records per batch")
    return data


@dataclass(frozen=True)
class _Incoming:
    record: domain.ReceivedRecord
    slot: datetime
    evidence: bytes | None


def _received_record(raw: Any) -> _Incoming:
    try:
        payload = raw["payload"]
        slot = datetime.fromisoformat(payload["slot"])
        if slot.tzinfo is None:
            raise ValueError("slot needs a zone")
        evidence = raw.get("evidence")
        jpeg = base64.b64decode(evidence, validate=True) if evidence else None
        record = domain.ReceivedRecord(
            sequence=int(raw["sequence"]),
            previous_hash=str(raw["previous_hash"]),
            hash=str(raw["hash"]),
            natural_key=(int(payload["camera"]), _iso(slot)),
            payload=payload,
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise BatchMalformed(f"bad record: {exc}") from exc
    return _Incoming(record, slot, jpeg)


def _keep_records(
    agent: Agent, contact: Contact, incoming: Sequence[_Incoming], now: datetime
) -> BatchOutcome:
    if not incoming:
        return BatchOutcome(clock_offset_seconds=record_contact(agent, contact, now))
    outcome = BatchOutcome(clock_offset_seconds=(now - contact.agent_wall).total_seconds())
    sequences = {item.record.sequence for item in incoming}
    wanted = sequences | {s - 1 for s in sequences}
    slots = {item.slot for item in incoming}
    # One read of the receipts this batch may meet: the same sequence numbers and their
    # predecessors (the chain), and the same slots (a replayed natural key).
    receipts: dict[int, domain.StoredReceipt] = {}
    keys_seen: dict[tuple[int, str], int] = {}
    for sequence, digest, camera_id, slot, refused in AgentRecord.objects.filter(
        Q(sequence__in=wanted) | Q(slot__in=slots), agent=agent
    ).values_list("sequence", "hash", "camera_id", "slot", "refused"):
        key = (camera_id, _iso(slot))
        if sequence in wanted:
            receipts[sequence] = domain.StoredReceipt(sequence, digest, key)
        if not refused and slot in slots:
            keys_seen[key] = sequence
    verdicts = domain.verify_chain(
        [item.record for item in incoming], receipts, keys_seen, agent.last_sequence
    )
    by_sequence = {item.record.sequence: item for item in incoming}
    office = agent.office
    zone = zone_of(office)
    own_cameras = set(Camera.objects.filter(office=office).values_list("pk", flat=True))
    clock = domain.AgentClock(now, contact.agent_wall, contact.boot_id, contact.monotonic)
    warnings: list[tuple[str, int | None, str]] = []
    forwarded: list[tuple[int, ForwardedReading]] = []
    receipts_to_add: list[AgentRecord] = []
    for verdict in verdicts:
        item = by_sequence[verdict.sequence]
        if verdict.warned:
            warnings.append((verdict.finding.value, verdict.sequence, verdict.detail))
        if verdict.finding is domain.ChainFinding.DUPLICATE:
            outcome.acknowledged.append(verdict.sequence)
            continue
        if not verdict.kept:
            outcome.refused.append((verdict.sequence, verdict.finding.value))
            continue
        refusal, reading = _forwarded(item, clock, zone, own_cameras)
        receipt = AgentRecord(
            agent=agent,
            sequence=verdict.sequence,
            hash=item.record.hash,
            camera_id=item.record.natural_key[0],
            slot=item.slot,
            taken_at=reading.taken_at if reading else None,
            received_at=now,
            refused=refusal,
        )
        receipts_to_add.append(receipt)
        if reading is None:
            warnings.append(("refused", verdict.sequence, refusal))
            outcome.refused.append((verdict.sequence, refusal))
        else:
            forwarded.append((verdict.sequence, reading))
            outcome.acknowledged.append(verdict.sequence)
    written = record_forwarded_readings([reading for _, reading in forwarded], now)
    by_key = {(r.camera_id, r.slot): sequence for sequence, r in forwarded}
    observation_of = {by_key[key]: pk for key, pk in written.items() if key in by_key}
    for receipt in receipts_to_add:
        receipt.observation_id = observation_of.get(receipt.sequence)
    AgentRecord.objects.bulk_create(receipts_to_add, batch_size=1000)
    outcome.written = len(forwarded)
    head: dict[str, object] = {}
    if receipts_to_add:
        last = max(receipts_to_add, key=lambda r: r.sequence)
        if last.sequence > agent.last_sequence:
            head = {"last_sequence": last.sequence, "last_hash": last.hash}
    record_contact(agent, contact, now, **head)
    _warn(agent, now, warnings)
    outcome.warnings = [f"{kind} #{seq}: {detail}" for kind, seq, detail in warnings]
    _audit_arrivals(agent, [r for _, r in forwarded], now)
    return outcome


def _forwarded(
    item: _Incoming, clock: domain.AgentClock, zone: Any, own_cameras: set[int]
) -> tuple[str, ForwardedReading | None]:
    payload = item.record.payload
    camera_id = item.record.natural_key[0]
    if camera_id not in own_cameras:
        return "camera of another office", None
    try:
        placed = domain.place_record(
            clock,
            slot=item.slot,
            agent_wall=datetime.fromisoformat(payload["taken_wall"]),
            boot_id=str(payload.get("boot_id", "")),
            monotonic=float(payload.get("monotonic", 0.0)),
        )
        detector = payload.get("detector") or ["", ""]
        reading = CheckReading(
            status=str(payload["status"]),
            error=str(payload.get("error", "")),
            people_total=payload.get("people_total"),
            people_in_zone=payload.get("people_in_zone"),
            detector=(str(detector[0])[:50], str(detector[1])[:50]),
            signature=str(payload.get("signature", ""))[:128],
            health=payload.get("health") or {},
            evidence_jpeg=item.evidence,
            people_signals=payload.get("signals") or {},
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        return f"unreadable record: {exc}"[:200], None
    if placed.refused:
        return placed.refused, None
    evidence_sha = payload.get("evidence_sha256")
    if item.evidence is not None and hashlib.sha256(item.evidence).hexdigest() != evidence_sha:
        return "evidence does not match its record", None
    return "", ForwardedReading(
        camera_id=camera_id,
        slot=item.slot,
        office_date=item.slot.astimezone(zone).date(),
        kind=str(payload.get("kind", "manual"))[:20],
        taken_at=placed.taken_at,
        reading=reading,
        duration_ms=payload.get("duration_ms"),
    )


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _warn(agent: Agent, now: datetime, warnings: Sequence[tuple[str, int | None, str]]) -> None:
    """Keep each warning for the office page and one audit entry per kind for the batch."""
    if not warnings:
        return
    AgentWarning.objects.bulk_create(
        AgentWarning(agent=agent, kind=kind, sequence=seq, detail=detail[:300], created_at=now)
        for kind, seq, detail in warnings
    )
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, seq, detail in warnings:
        by_kind[kind].append(f"#{seq} {detail}" if seq is not None else detail)
    for kind, details in by_kind.items():
        logger.warning("agent %s: %s: %s", agent.pk, kind, "; ".join(details[:5]))
        _audit(agent, f"agent_{kind}", f"{agent}: {'; '.join(details)}")


def _audit_arrivals(agent: Agent, readings: Sequence[ForwardedReading], now: datetime) -> None:
    """One audit entry per office day that received data: when it arrived, in local time."""
    days: set[date] = {reading.office_date for reading in readings}
    if not days:
        return
    zone = zone_of(agent.office)
    local = now.astimezone(zone)
    entries = [
        AuditLogEntry(
            action="agent_data",
            local_government_id=agent.office.kecamatan.local_government_id,
            target=(
                _("%(office)s %(day)s: data dari agen kantor tiba pada %(date)s pukul %(time)s")
                % {
                    "office": agent.office.code,
                    "day": day.isoformat(),
                    "date": local.date().isoformat(),
                    "time": local.strftime("%H:%M %Z"),
                }
            )[:255],
        )
        for day in sorted(days)
    ]
    AuditLogEntry.objects.bulk_create(entries)


def _audit(agent: Agent, action: str, target: str) -> None:
    office = Office.objects.select_related("kecamatan").get(pk=agent.office_id)
    AuditLogEntry.objects.create(
        action=action[:50],
        target=target[:255],
        local_government_id=office.kecamatan.local_government_id,
    )
