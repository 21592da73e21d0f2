"""The box's checks: the same pure planner and check pipeline a worker uses, on its own clock.

Plan: the office days the server sent (hours, holidays, excuses already resolved) planned with
compliance.domain.plan_check_slots. Check: cameras.sources.capture_burst (hard deadlines) and
cameras.checking.read_burst (frame health, counting, blurred evidence). Raw frames stay in
memory; only the blurred evidence JPEG may reach the disk, and only at the moments that decide
a day or within the daily budget.
"""

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from agents.domain.plan_inputs import office_day_from_dict, policy_from_dict
from cameras import sources
from cameras.checking import BurstReading, read_burst
from cameras.vision import PeopleDetector, get_detector
from compliance.domain import OfficeDay, PlannedSlot, SlotKind, plan_check_slots
from kelurahan_agent.store import Store
from kelurahan_agent.wire import boot_id

# The box sends smaller pictures than a worker keeps: enough to see that people are there.
EVIDENCE_MAX_WIDTH = 480
EVIDENCE_QUALITY = 70
CAPTURE_LONG_SIDE = 640


@dataclass(frozen=True)
class Plan:
    zone: ZoneInfo
    days: dict[date, OfficeDay]
    slots: tuple[PlannedSlot, ...]


def plan_from_config(config: dict[str, Any]) -> Plan:
    """Every slot of the office days in the configuration, in time order."""
    zone = ZoneInfo(config["office"]["time_zone"])
    policy = policy_from_dict(config["policy"])
    days = {d.date: d for d in (office_day_from_dict(raw) for raw in config["days"])}
    slots = tuple(
        slot for day in sorted(days) for slot in plan_check_slots(days[day], policy, zone)
    )
    return Plan(zone, days, slots)


def due_slots(plan: Plan, now: datetime) -> list[PlannedSlot]:
    """Slots whose window is open at `now` (a slot is checked late, never after its window)."""
    return [slot for slot in plan.slots if slot.at <= now < slot.at + slot.window]


def next_slots(plan: Plan, now: datetime, count: int = 3) -> list[PlannedSlot]:
    return [slot for slot in plan.slots if slot.at > now][:count]


def slot_key(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class CameraOnBox:
    """A camera as the box knows it: the server's settings plus the address entered here."""

    id: int
    url: str
    username: str
    password: str
    settings: dict[str, Any]


def warm_up(cameras: Sequence[CameraOnBox]) -> None:
    """Load each camera's detector and run it once on a blank frame: loading the models takes
    a second or more on a small box, and the first scheduled check should keep to its slot."""
    for camera in cameras:
        detector = get_detector(camera.settings.get("detector") or None)
        detector.detect(np.zeros((360, CAPTURE_LONG_SIDE, 3), np.uint8))


def check_camera(
    camera: CameraOnBox,
    slot: PlannedSlot | None,
    at: datetime,
    store: Store,
    plan: Plan,
    budget_bytes: int,
    *,
    clock: Callable[[], datetime],
    detector: PeopleDetector | None = None,
) -> int | None:
    """Check one camera for one slot (None: a manual check now) and queue the record.

    Returns the record's sequence number (None: this slot was queued already)."""
    key = slot_key(slot.at if slot else at)
    if store.has_slot(camera.id, key):
        return None
    started = time.perf_counter()
    zone = plan.zone
    address = sources.CameraAddress(
        url=camera.url,
        username=camera.username,
        password=camera.password,
        timeout_s=float(camera.settings.get("timeout_seconds") or 10.0),
        min_long_side=CAPTURE_LONG_SIDE,
    )
    reading: BurstReading | None = None
    error = ""
    status = "error"
    try:
        frames = sources.capture_burst(
            address,
            frames=int(camera.settings.get("burst_frames") or 3),
            interval_s=float(camera.settings.get("burst_interval_seconds") or 1.0),
            at=slot.at if slot else at,
            zone=zone,
        )
        chosen = detector or get_detector(camera.settings.get("detector") or None)
        scene_key = f"scene:{camera.id}"
        reading = read_burst(
            frames,
            chosen,
            previous_signature=store.get(f"signature:{camera.id}"),
            reference_signature=str(camera.settings.get("reference_signature") or ""),
            staff_zone=camera.settings.get("staff_zone") or [],
            ignore_zones=camera.settings.get("ignore_zones") or [],
            scene_state=bytes.fromhex(store.get(scene_key)),
            evidence_max_width=EVIDENCE_MAX_WIDTH,
            evidence_quality=EVIDENCE_QUALITY,
        )
        del frames
        status = reading.status
        if reading.learned_scene is not None:
            store.put(scene_key, reading.learned_scene.hex())
        store.put(f"signature:{camera.id}", reading.signature)
    except sources.CaptureError as exc:
        status, error = exc.code, sources.redact_url(str(exc))
    taken = clock()
    day = (slot.at if slot else at).astimezone(zone).date()
    evidence = reading.evidence_jpeg if reading else None
    if evidence is not None and not _keeps_evidence(
        store, plan, slot, reading, day, len(evidence), budget_bytes
    ):
        evidence = None
    payload = record_payload(
        camera.id,
        key,
        slot.kind.value if slot else "manual",
        status,
        reading,
        taken=taken,
        error=error,
        duration_ms=int((time.perf_counter() - started) * 1000),
        evidence=evidence,
    )
    return store.append(payload, evidence, taken, evidence_day=day.isoformat())


def record_payload(
    camera_id: int,
    slot: str,
    kind: str,
    status: str,
    reading: BurstReading | None,
    *,
    taken: datetime,
    error: str = "",
    duration_ms: int | None = None,
    evidence: bytes | None = None,
) -> dict[str, Any]:
    """The record of one check as it is hashed, queued and sent (JSON values only)."""
    return {
        "camera": camera_id,
        "slot": slot,
        "kind": kind,
        "status": status,
        "error": error[:500],
        "people_total": reading.people_total if reading else None,
        "people_in_zone": reading.people_in_zone if reading else None,
        "detector": list(reading.detector) if reading else ["", ""],
        "signature": reading.signature if reading else "",
        "health": reading.health if reading else {},
        "signals": reading.people_signals if reading else {},
        "duration_ms": duration_ms,
        "taken_wall": taken.astimezone(UTC).isoformat(),
        "boot_id": boot_id(),
        "monotonic": time.monotonic(),
        "evidence_sha256": hashlib.sha256(evidence).hexdigest() if evidence else None,
    }


def deciding_moment(
    store: Store, plan: Plan, slot: PlannedSlot | None, reading: BurstReading, day: date
) -> str:
    """Which moment deciding the day this reading is ("" for none): the first seen open, the
    deadline check (the first check at or after opening time + grace) or the first people
    seen after hours."""
    if slot is None or reading.status != "ok":
        return ""
    office_day = plan.days.get(day)
    people = reading.people_in_zone or 0
    marker = f"{day.isoformat()}"
    if slot.kind in (SlotKind.AFTER_HOURS, SlotKind.NIGHT):
        if people > 0 and not store.day_count(marker, "after_hours_evidence"):
            return "after_hours_evidence"
        return ""
    if office_day is None or office_day.hours is None:
        return ""
    hours = office_day.hours
    if people >= hours.min_staff and not store.day_count(marker, "open_evidence"):
        return "open_evidence"
    deadline = datetime.combine(day, hours.open, tzinfo=plan.zone) + timedelta(
        minutes=hours.grace_minutes
    )
    first_after = next((s for s in plan.slots if s.at >= deadline), None)
    if first_after is not None and first_after.at == slot.at:
        return "deadline_evidence"
    return ""


def _keeps_evidence(
    store: Store,
    plan: Plan,
    slot: PlannedSlot | None,
    reading: BurstReading | None,
    day: date,
    size: int,
    budget_bytes: int,
) -> bool:
    if reading is None:
        return False
    moment = deciding_moment(store, plan, slot, reading, day)
    if moment:
        store.add_to_day(day.isoformat(), moment, 1)
        return True
    if slot is None:
        return True  # a check asked for by hand shows its picture
    return store.day_count(day.isoformat(), "evidence_bytes") + size <= budget_bytes


def cameras_on_box(
    config: dict[str, Any], addresses: Sequence[dict[str, str]]
) -> list[CameraOnBox]:
    """Pair the server's cameras with the addresses entered on the box (in order)."""
    found = []
    for settings, address in zip(config.get("cameras", []), addresses, strict=False):
        found.append(
            CameraOnBox(
                id=int(settings["id"]),
                url=address["url"],
                username=address.get("username", ""),
                password=address.get("password", ""),
                settings=settings,
            )
        )
    return found
