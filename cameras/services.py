"""Camera checks: claim a slot, capture, judge frame health, count people, keep blurred evidence.

A check is idempotent per (camera, slot): the Observation row created by the tick is the claim.
A duplicate delivery finds the row taken and does nothing; a redelivery of the same task (worker
killed mid-check) carries the same task id and takes over; a claim whose lease ran out may be
taken by anyone. Raw frames stay in memory; only the blurred evidence JPEG reaches the disk.
"""

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from cameras import sources
from cameras.checking import read_burst
from cameras.domain.placement import Placement, PlacementError, placement_errors
from cameras.models import Camera, CameraKind, Evidence, Observation, ObservationStatus
from cameras.vision import PeopleDetector, get_detector
from cameras.vision.health import assess_frame_health, build_reference
from cameras.vision.scene import learn_scene, scene_grey, scene_to_bytes
from places.models import Kecamatan, LocalGovernment, Office

logger = logging.getLogger(__name__)


# A running claim older than this is abandoned (worker gone without the broker noticing).
def claim_lease() -> timedelta:
    """A running claim older than this is abandoned (the worker died without the broker
    noticing): the tick dispatches the slot again. Above the check's hard time limit."""
    return timedelta(seconds=settings.CHECK_LEASE_SECONDS)


# Errors worth another try within the slot's window: the link may come back.
TRANSIENT_ERRORS: tuple[type[sources.CaptureError], ...] = (
    sources.CaptureTimeout,
    sources.CameraUnreachable,
    sources.StreamEnded,
)


@dataclass(frozen=True)
class CheckSummary:
    observation_id: int
    status: str
    people_in_zone: int | None = None


@dataclass(frozen=True)
class CheckReading:
    """What one check found: the facts an observation records (never a judgement)."""

    status: str
    error: str = ""
    people_total: int | None = None
    people_in_zone: int | None = None
    detector: tuple[str, str] = ("", "")
    signature: str = ""
    health: dict | None = None
    evidence_jpeg: bytes | None = None
    people_signals: dict[str, int] | None = None


# Nothing downstream needs more pixels: the detectors work at a 640 px longer side, evidence
# and stills are at most 640 px wide, frame health looks at 320. A 1280x720 JPEG is therefore
# decoded at half size (about half the decode time, and no resize afterwards).
CAPTURE_LONG_SIDE = 640


def camera_address(camera: Camera) -> sources.CameraAddress:
    """The capture address with decrypted credentials; lives only for the capture call."""
    return sources.CameraAddress(
        url=camera.source_url,
        username=camera.username.reveal(),
        password=camera.password.reveal(),
        timeout_s=camera.timeout_seconds or settings.CAMERA_CAPTURE_TIMEOUT_S,
        min_long_side=CAPTURE_LONG_SIDE,
        # Read only by recorded sources (replay): a live camera brings its own noise.
        sensor_noise=settings.REPLAY_SENSOR_NOISE,
        local_sources=settings.CAMERA_LOCAL_SOURCES,
    )


def claim_observation(observation_id: int, token: str, now: datetime) -> bool:
    """Take the slot for this task; False when another live task holds it or it is done."""
    claimable = (
        Q(status=ObservationStatus.PENDING)
        | Q(status=ObservationStatus.RUNNING, claim_token=token)
        | Q(status=ObservationStatus.RUNNING, claimed_at__lt=now - claim_lease())
    )
    taken = Observation.objects.filter(claimable, pk=observation_id).update(
        status=ObservationStatus.RUNNING, claim_token=token, claimed_at=now
    )
    return taken == 1


def release_claim(observation_id: int, token: str) -> bool:
    """Give the slot back (pending, unclaimed) if this task still holds it: another task may
    take it at once (a retry of a check that ran inside a group of checks)."""
    released = Observation.objects.filter(
        pk=observation_id, status=ObservationStatus.RUNNING, claim_token=token
    ).update(status=ObservationStatus.PENDING, claim_token="", claimed_at=None)
    return released == 1


def detector_name_for(camera: Camera) -> str | None:
    """The camera's own detector, else its kind's default (None: the registry's default)."""
    if camera.detector:
        return camera.detector
    if camera.kind == CameraKind.PUBLIC_AREA:
        return settings.PUBLIC_AREA_DETECTOR or settings.PEOPLE_DETECTOR or None
    return settings.PEOPLE_DETECTOR or None


def run_camera_check(
    observation_id: int,
    token: str,
    now: datetime,
    detector_name: str | None = None,
    *,
    detector: PeopleDetector | None = None,
) -> CheckSummary:
    """Run the check of one observation slot: claim, capture, read the frames, record the facts.

    `now` is the check's clock (a replay passes its simulated one). The check records facts
    only; compliance's tick judges them. Raises one of TRANSIENT_ERRORS when the camera could
    not be reached (the caller retries or calls record_capture_failure); other capture errors
    are recorded here as no-data.
    """
    if not claim_observation(observation_id, token, now):
        current = Observation.objects.filter(pk=observation_id).values_list("status", flat=True)
        logger.info("check %s already taken (%s)", observation_id, list(current))
        return CheckSummary(observation_id, "skipped")
    observation = Observation.objects.select_related("camera__local_government").get(
        pk=observation_id
    )
    started = time.perf_counter()
    if observation.expires_at is not None and now >= observation.expires_at:
        expired = CheckReading(ObservationStatus.EXPIRED, error="slot expired")
        return record_reading(observation, token, expired, now, started)
    try:
        frames = capture_frames(observation)
    except TRANSIENT_ERRORS:
        raise
    except sources.CaptureError as exc:
        failed = CheckReading(exc.code, error=str(exc))
        return record_reading(observation, token, failed, now, started)
    chosen = detector or get_detector(detector_name or detector_name_for(observation.camera))
    reading = read_frames(observation, frames, chosen)
    return record_reading(observation, token, reading, now, started)


def capture_frames(observation: Observation) -> list[np.ndarray]:
    """The burst of the observation's camera (a replay source shows the frames of the slot)."""
    camera = observation.camera
    return sources.capture_burst(
        camera_address(camera),
        frames=camera.burst_frames,
        interval_s=camera.burst_interval_seconds,
        at=observation.slot,
        zone=ZoneInfo(camera.local_government.time_zone),
    )


def record_capture_failure(observation_id: int, code: str, message: str, now: datetime) -> None:
    """The last attempt failed: record no-data with the reason (never the credentials)."""
    observation = Observation.objects.select_related("camera").get(pk=observation_id)
    if observation.status not in (ObservationStatus.PENDING, ObservationStatus.RUNNING):
        return
    valid = {choice.value for choice in ObservationStatus}
    reading = CheckReading(
        code if code in valid else ObservationStatus.ERROR, error=sources.redact_url(message)
    )
    record_reading(observation, None, reading, now, time.perf_counter())


def _previous_signature(observation: Observation) -> str:
    return (
        Observation.objects.filter(
            camera_id=observation.camera_id,
            slot__lt=observation.slot,
            office_date__lte=observation.office_date,
        )
        .exclude(frame_signature="")
        .order_by("-slot")
        .values_list("frame_signature", flat=True)
        .first()
        or ""
    )


def read_frames(
    observation: Observation, frames: list[np.ndarray], detector: PeopleDetector
) -> CheckReading:
    """Judge each frame's health, count the people in the staff zone, blur the evidence
    (cameras.checking.read_burst); stores the camera's empty scene when the check learned it."""
    camera = observation.camera
    burst = read_burst(
        frames,
        detector,
        previous_signature=_previous_signature(observation),
        reference_signature=camera.reference_signature,
        staff_zone=camera.staff_zone,
        ignore_zones=camera.ignore_zones,
        scene_state=bytes(camera.scene_state or b""),
    )
    if burst.learned_scene is not None:
        camera.scene_state = burst.learned_scene
        camera.save(update_fields=["scene_state"])
    return CheckReading(
        status=burst.status,
        people_total=burst.people_total,
        people_in_zone=burst.people_in_zone,
        detector=burst.detector,
        signature=burst.signature,
        health=burst.health,
        evidence_jpeg=burst.evidence_jpeg,
        people_signals=burst.people_signals,
    )


def record_reading(
    observation: Observation,
    token: str | None,
    reading: CheckReading,
    now: datetime,
    started: float,
    *,
    captured_at: datetime | None = None,
) -> CheckSummary:
    """Write the reading once, only while this check still holds the slot (`token`; None: any
    unsettled holder). `recorded_at` (the check's clock at the write) is what compliance's tick
    pulls new facts by. A slot settled meanwhile (expired by the tick) is left as it is.
    `captured_at` is when the frames were taken, if not at `now` (a burst counted later)."""
    elapsed = time.perf_counter() - started
    holder = (
        Q(status=ObservationStatus.RUNNING, claim_token=token)
        if token is not None
        else Q(status__in=(ObservationStatus.PENDING, ObservationStatus.RUNNING))
    )
    with transaction.atomic():
        # With its office day: PostgreSQL then reads the one partition that holds the row.
        written = Observation.objects.filter(
            holder, pk=observation.pk, office_date=observation.office_date
        ).update(
            status=reading.status,
            error_message=reading.error[:500],
            captured_at=(captured_at or now) if reading.status == ObservationStatus.OK else None,
            people_count=reading.people_total,
            people_in_zone=reading.people_in_zone,
            detector_name=reading.detector[0],
            detector_version=reading.detector[1],
            frame_signature=reading.signature,
            health=reading.health or {},
            people_signals=reading.people_signals or {},
            duration_ms=int(elapsed * 1000) if reading.health is not None else None,
            attempts=F("attempts") + 1,
            recorded_at=now + timedelta(seconds=elapsed),
        )
        if not written:
            logger.info("check %s was settled by someone else; result dropped", observation.pk)
            return CheckSummary(observation.pk, "skipped")
        if reading.evidence_jpeg is not None:
            _store_evidence(observation, reading.evidence_jpeg)
    return CheckSummary(observation.pk, reading.status, reading.people_in_zone)


@dataclass(frozen=True)
class ForwardedReading:
    """A reading taken elsewhere (an office agent checking its camera on its own schedule),
    forwarded for its slot. `taken_at` is on the server's timeline."""

    camera_id: int
    slot: datetime
    office_date: date
    kind: str
    taken_at: datetime
    reading: CheckReading
    duration_ms: int | None = None


# A slot holding one of these keeps it: a forwarded reading never replaces a usable one.
_KEEPS_ITS_READING = (ObservationStatus.OK,)


def record_forwarded_readings(
    readings: Sequence[ForwardedReading], now: datetime
) -> dict[tuple[int, datetime], int]:
    """Write forwarded readings into their slots by the natural key (camera, slot) and return
    the observation id of each key.

    A slot nobody planned is created; a slot still open or settled without data (pending,
    running, expired, a capture failure) takes the reading; a slot that already holds a usable
    reading keeps it, so the same reading sent twice changes nothing. `recorded_at` is `now`
    (the server's clock at arrival): compliance's tick pulls the new facts by it and recomputes
    the day's verdict once, whatever the order the readings came in. On PostgreSQL one
    INSERT ... ON CONFLICT (camera, slot, office day) DO UPDATE for the whole batch (plus a
    lookup of the slots that kept their reading, only when there are some); elsewhere a fixed
    number of queries plus one per replaced slot. One more per evidence picture.
    """
    if not readings:
        return {}
    by_key = {(r.camera_id, r.slot): r for r in readings}
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            written, changed = _upsert_forwarded(list(by_key.values()), now)
        else:
            written, changed = _write_forwarded_portably(by_key, now)
        for key in changed:
            jpeg = by_key[key].reading.evidence_jpeg
            if jpeg is not None and key in written:
                observation = Observation(
                    pk=written[key], camera_id=key[0], office_date=by_key[key].office_date
                )
                _store_evidence(observation, jpeg)
    return written


# Every NOT NULL column of Observation is named (tests/cameras/test_forwarded_readings.py keeps
# this list in step). A slot holding a usable reading ('ok') is not updated, so it is not
# returned either; the caller looks those few up.
_UPSERT_FORWARDED_SQL = """
INSERT INTO cameras_observation (
    camera_id, slot, office_date, kind, status, error_message, captured_at, people_count,
    people_in_zone, detector_name, detector_version, frame_signature, health, people_signals,
    duration_ms, claim_token, recorded_at, attempts, dispatch_count, created_at
)
SELECT r.camera_id, r.slot, r.office_date, r.kind, r.status, r.error_message, r.captured_at,
       r.people_count, r.people_in_zone, r.detector_name, r.detector_version,
       r.frame_signature, r.health::jsonb, r.people_signals::jsonb, r.duration_ms, '',
       %(now)s, 1, 0, %(now)s
FROM unnest(
    %(cameras)s::bigint[], %(slots)s::timestamptz[], %(dates)s::date[], %(kinds)s::text[],
    %(statuses)s::text[], %(errors)s::text[], %(captured)s::timestamptz[], %(totals)s::int[],
    %(in_zone)s::int[], %(detectors)s::text[], %(versions)s::text[], %(signatures)s::text[],
    %(health)s::text[], %(signals)s::text[], %(durations)s::int[]
) AS r(camera_id, slot, office_date, kind, status, error_message, captured_at, people_count,
       people_in_zone, detector_name, detector_version, frame_signature, health,
       people_signals, duration_ms)
ORDER BY r.camera_id, r.slot
ON CONFLICT (camera_id, slot, office_date) DO UPDATE SET
    status = EXCLUDED.status, error_message = EXCLUDED.error_message,
    captured_at = EXCLUDED.captured_at, people_count = EXCLUDED.people_count,
    people_in_zone = EXCLUDED.people_in_zone, detector_name = EXCLUDED.detector_name,
    detector_version = EXCLUDED.detector_version, frame_signature = EXCLUDED.frame_signature,
    health = EXCLUDED.health, people_signals = EXCLUDED.people_signals,
    duration_ms = EXCLUDED.duration_ms, claim_token = '', recorded_at = EXCLUDED.recorded_at,
    attempts = cameras_observation.attempts + 1
WHERE cameras_observation.status <> ALL(%(keeps)s::text[])
RETURNING id, camera_id, slot
"""
UPSERTED_COLUMNS = frozenset(
    _UPSERT_FORWARDED_SQL.split("(", 2)[1]
    .split(")", 1)[0]
    .replace("\n", "")
    .replace(" ", "")
    .split(",")
)


_UPSERT_PARAMETERS = (
    "cameras", "slots", "dates", "kinds", "statuses", "errors", "captured", "totals",
    "in_zone", "detectors", "versions", "signatures", "health", "signals", "durations",
)  # fmt: skip


def _upsert_forwarded(
    readings: Sequence[ForwardedReading], now: datetime
) -> tuple[dict[tuple[int, datetime], int], set[tuple[int, datetime]]]:
    columns: dict[str, list[object]] = {name: [] for name in _UPSERT_PARAMETERS}
    for forwarded in readings:
        fields = _forwarded_fields(forwarded, now)
        values = (
            forwarded.camera_id,
            forwarded.slot,
            forwarded.office_date,
            forwarded.kind,
            fields["status"],
            fields["error_message"],
            fields["captured_at"],
            fields["people_count"],
            fields["people_in_zone"],
            fields["detector_name"],
            fields["detector_version"],
            fields["frame_signature"],
            json.dumps(fields["health"]),
            json.dumps(fields["people_signals"]),
            fields["duration_ms"],
        )
        for column, value in zip(columns.values(), values, strict=True):
            column.append(value)
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT_FORWARDED_SQL,
            {**columns, "now": now, "keeps": [str(status) for status in _KEEPS_ITS_READING]},
        )
        # Aware datetimes compare and hash by instant, whatever zone the driver returns.
        changed_rows = {(camera_id, slot): pk for pk, camera_id, slot in cursor}
    written = {
        (r.camera_id, r.slot): changed_rows[(r.camera_id, r.slot)]
        for r in readings
        if (r.camera_id, r.slot) in changed_rows
    }
    changed = set(written)
    kept = [(r.camera_id, r.slot) for r in readings if (r.camera_id, r.slot) not in written]
    if kept:
        wanted = set(kept)
        rows = Observation.objects.filter(
            camera_id__in={c for c, _ in kept},
            slot__in={s for _, s in kept},
            office_date__in={r.office_date for r in readings},
        ).values_list("camera_id", "slot", "pk")
        written.update({(c, s): pk for c, s, pk in rows if (c, s) in wanted})
    return written, changed


def _write_forwarded_portably(
    by_key: dict[tuple[int, datetime], ForwardedReading], now: datetime
) -> tuple[dict[tuple[int, datetime], int], set[tuple[int, datetime]]]:
    camera_ids = {camera_id for camera_id, _ in by_key}
    slots = {slot for _, slot in by_key}
    rows = Observation.objects.filter(
        camera_id__in=camera_ids,
        slot__in=slots,
        office_date__in={r.office_date for r in by_key.values()},
    ).values_list("camera_id", "slot", "pk", "status")
    before = {(c, s): (pk, st) for c, s, pk, st in rows if (c, s) in by_key}
    fresh = [
        Observation(
            camera_id=r.camera_id,
            slot=r.slot,
            office_date=r.office_date,
            kind=r.kind,
            attempts=1,
            **_forwarded_fields(r, now),
        )
        for key, r in by_key.items()
        if key not in before
    ]
    # A slot created meanwhile by someone else makes this fail as a whole; the sender
    # sends again and finds the slot existing (the same answer, one round later).
    Observation.objects.bulk_create(fresh, batch_size=1000)
    written = {key: pk for key, (pk, _) in before.items()}
    written.update({(o.camera_id, o.slot): o.pk for o in fresh})
    for key, (pk, status) in before.items():
        if status in _KEEPS_ITS_READING:
            continue
        Observation.objects.filter(pk=pk, status=status).update(
            attempts=F("attempts") + 1, **_forwarded_fields(by_key[key], now)
        )
    changed = {key for key in by_key if before.get(key, (0, ""))[1] not in _KEEPS_ITS_READING}
    return written, changed


def _forwarded_fields(forwarded: ForwardedReading, now: datetime) -> dict[str, object]:
    reading = forwarded.reading
    return {
        "status": reading.status,
        "error_message": reading.error[:500],
        "captured_at": forwarded.taken_at if reading.status == ObservationStatus.OK else None,
        "people_count": reading.people_total,
        "people_in_zone": reading.people_in_zone,
        "detector_name": reading.detector[0],
        "detector_version": reading.detector[1],
        "frame_signature": reading.signature,
        "health": reading.health or {},
        "people_signals": reading.people_signals or {},
        "duration_ms": forwarded.duration_ms,
        "claim_token": "",
        "recorded_at": now,
    }


def _store_evidence(observation: Observation, jpeg: bytes) -> None:
    """One evidence file per observation; a redone check replaces it instead of adding one."""
    width, height = sources.jpeg_size(jpeg) or (0, 0)
    name = f"{observation.camera_id}/{observation.office_date:%Y/%m/%d}/{observation.pk}.jpg"
    existing = Evidence.objects.filter(observation=observation).first()
    if existing is not None:
        existing.image.delete(save=False)
        existing.delete()
    evidence = Evidence(observation=observation, width=width, height=height)
    evidence.image.save(name, ContentFile(jpeg), save=False)
    evidence.save()


class ReferenceRefused(ValueError):
    """The reference view could not be learned (people in view, or the camera failed)."""


def capture_reference_view(camera_id: int, frames: int = 5, interval_s: float = 1.0) -> int:
    """Learn the camera's empty-scene reference from a burst taken now.

    Run it when the office is closed. Frames with people or faults are dropped; at least
    three empty frames are needed. The reference (a small grey median, never a raw frame)
    detects a moved camera and drops static look-alikes such as posters; the same frames become
    the camera's learned empty scene (Camera.scene_state). Returns the number of frames used.
    """
    camera = Camera.objects.select_related("office__kecamatan__local_government").get(pk=camera_id)
    try:
        burst = sources.capture_burst(camera_address(camera), frames=frames, interval_s=interval_s)
    except sources.CaptureError as exc:
        raise ReferenceRefused(str(exc)) from exc
    detector = get_detector(detector_name_for(camera))
    empty = [
        frame
        for frame in burst
        if assess_frame_health(frame).status == "ok" and detector.detect(frame).count == 0
    ]
    if len(empty) < min(3, frames):
        raise ReferenceRefused(
            f"only {len(empty)} of {len(burst)} frames showed an empty, healthy scene"
        )
    camera.reference_signature = build_reference(empty)
    # The same empty frames are the camera's empty scene, learned afresh.
    camera.scene_state = scene_to_bytes(learn_scene(None, [scene_grey(f) for f in empty]))
    camera.save(update_fields=["reference_signature", "scene_state"])
    return len(empty)


def purge_expired_evidence(now: datetime | None = None) -> int:
    """Delete evidence images older than the retention period; observations keep their numbers."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EVIDENCE_RETENTION_DAYS)
    purged = 0
    for evidence in Evidence.objects.filter(created_at__lt=cutoff).iterator():
        evidence.image.delete(save=False)
        evidence.delete()
        purged += 1
    return purged


@dataclass(frozen=True)
class ResolvedPlacement:
    government: LocalGovernment | None
    kecamatan: Kecamatan | None
    errors: dict[str, PlacementError]


def resolve_placement(
    kind: str | None,  # None when the form's own validation already refused the kind
    office: Office | None,
    government: LocalGovernment | None,
    kecamatan: Kecamatan | None,
    *,
    is_public: bool,
) -> ResolvedPlacement:
    """Where a submitted camera stands: an office camera takes its office's government and
    kecamatan, a public-area camera keeps the chosen ones; `errors` says what the rule refuses
    (see cameras.domain.placement). Crowd levels are checked by the caller."""
    is_office_camera = kind == CameraKind.OFFICE
    if is_office_camera and office is not None:
        government, kecamatan = office.kecamatan.local_government, office.kecamatan
    errors = placement_errors(
        Placement(
            is_office_camera=is_office_camera,
            office_id=office.pk if office is not None else None,
            is_public=is_public,
            government_id=government.pk if government is not None else None,
            kecamatan_government_id=kecamatan.local_government_id if kecamatan else None,
        )
    )
    return ResolvedPlacement(government, kecamatan, errors)
