"""Camera checks: claim a slot, capture, judge frame health, count people, keep blurred evidence.

A check is idempotent per (camera, slot): the Observation row created by the tick is the claim.
A duplicate delivery finds the row taken and does nothing; a redelivery of the same task (worker
killed mid-check) carries the same task id and takes over; a claim whose lease ran out may be
taken by anyone. Raw frames stay in memory; only the blurred evidence JPEG reaches the disk.
"""

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cameras import sources
from cameras.checking import FrameReading, combine_burst
from cameras.domain.placement import Placement, PlacementError, placement_errors
from cameras.models import Camera, CameraKind, Evidence, Observation, ObservationStatus
from cameras.vision import Detection, PeopleDetector, get_detector
from cameras.vision.health import (
    assess_frame_health,
    build_reference,
    reject_static_false_people,
)
from cameras.vision.privacy import render_evidence
from cameras.vision.zones import count_people_in_zone
from compliance.models import Kecamatan, LocalGovernment, Office
from compliance.services import office_day_for, refresh_daily_verdict, zone_of

logger = logging.getLogger(__name__)

# A running claim older than this is abandoned (worker gone without the broker noticing).
CLAIM_LEASE = timedelta(minutes=3)
# Errors worth another try within the slot's window: the link may come back.
TRANSIENT_ERRORS: tuple[type[sources.CaptureError], ...] = (
    sources.CaptureTimeout,
    sources.CameraUnreachable,
    sources.StreamEnded,
)


# Benchmarks (bench_checks) collect per-stage milliseconds here; normal runs leave it unset.
_STAGE_TIMES: ContextVar[dict[str, list[float]] | None] = ContextVar("stage_times", default=None)


@contextmanager
def stage_timer(stage: str) -> Iterator[None]:
    """Time a stage of the check when a benchmark asked for it (see collect_stage_times)."""
    times = _STAGE_TIMES.get()
    if times is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        times.setdefault(stage, []).append((time.perf_counter() - started) * 1000)


@contextmanager
def collect_stage_times() -> Iterator[dict[str, list[float]]]:
    times: dict[str, list[float]] = {}
    token = _STAGE_TIMES.set(times)
    try:
        yield times
    finally:
        _STAGE_TIMES.reset(token)


@dataclass(frozen=True)
class CheckSummary:
    observation_id: int
    status: str
    people_in_zone: int | None = None


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
    )


def claim_observation(observation_id: int, token: str, now: datetime) -> bool:
    """Take the slot for this task; False when another live task holds it or it is done."""
    claimable = (
        Q(status=ObservationStatus.PENDING)
        | Q(status=ObservationStatus.RUNNING, claim_token=token)
        | Q(status=ObservationStatus.RUNNING, claimed_at__lt=now - CLAIM_LEASE)
    )
    taken = Observation.objects.filter(claimable, pk=observation_id).update(
        status=ObservationStatus.RUNNING, claim_token=token, claimed_at=now
    )
    return taken == 1


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
    live: bool = False,
) -> CheckSummary:
    """Run the check of one observation slot and refresh the office's provisional verdict.

    `live` checks (real clock, not a replay) also raise the alerts the new facts call for.

    Raises one of TRANSIENT_ERRORS when the camera could not be reached (the caller retries or
    calls record_capture_failure); other capture errors are recorded here as no-data.
    """
    if not claim_observation(observation_id, token, now):
        current = Observation.objects.filter(pk=observation_id).values_list("status", flat=True)
        logger.info("check %s already taken (%s)", observation_id, list(current))
        return CheckSummary(observation_id, "skipped")
    observation = Observation.objects.select_related(
        "camera__office__kecamatan__local_government"
    ).get(pk=observation_id)
    camera = observation.camera
    if observation.expires_at is not None and now >= observation.expires_at:
        return _finish(
            observation, now, status=ObservationStatus.EXPIRED, error="slot expired", live=live
        )

    started = time.perf_counter()
    # Checks are planned per office, so the camera is an office camera (camera_kind_matches_office).
    zone = zone_of(cast(Office, camera.office))
    try:
        with stage_timer("capture"):
            frames = sources.capture_burst(
                camera_address(camera),
                frames=camera.burst_frames,
                interval_s=camera.burst_interval_seconds,
                at=observation.slot,
                zone=zone,
            )
    except TRANSIENT_ERRORS as exc:
        # A replay's answer for a given time never changes: retrying it is pointless.
        if not camera.source_url.startswith("replay:"):
            raise
        return _finish(observation, now, status=exc.code, error=str(exc), live=live)
    except sources.CaptureError as exc:
        return _finish(observation, now, status=exc.code, error=str(exc), live=live)
    return _record_frames(observation, frames, now, started, detector_name, live)


def record_capture_failure(
    observation_id: int, code: str, message: str, now: datetime, *, live: bool = False
) -> None:
    """The last attempt failed: record no-data with the reason (never the credentials)."""
    observation = Observation.objects.select_related("camera__office").get(pk=observation_id)
    if observation.status not in (ObservationStatus.PENDING, ObservationStatus.RUNNING):
        return
    valid = {choice.value for choice in ObservationStatus}
    _finish(
        observation,
        now,
        status=code if code in valid else ObservationStatus.ERROR,
        error=sources.redact_url(message),
        live=live,
    )


def _previous_signature(observation: Observation) -> str:
    return (
        Observation.objects.filter(camera_id=observation.camera_id, slot__lt=observation.slot)
        .exclude(frame_signature="")
        .order_by("-slot")
        .values_list("frame_signature", flat=True)
        .first()
        or ""
    )


def _record_frames(
    observation: Observation,
    frames: list,
    now: datetime,
    started: float,
    detector_name: str | None,
    live: bool,
) -> CheckSummary:
    camera = observation.camera
    detector = get_detector(detector_name or detector_name_for(camera))
    previous = _previous_signature(observation)
    readings: list[FrameReading] = []
    detections = []
    healths = []
    for frame in frames:
        health = assess_frame_health(
            frame, previous_signature=previous, reference_signature=camera.reference_signature
        )
        healths.append(health)
        detection = None
        if health.status == "ok":
            with stage_timer("detect"):
                detection = _detect(detector, frame, recorded=_is_recorded(camera))
            real_people = reject_static_false_people(
                detection.people, frame, camera.reference_signature
            )
            in_zone = count_people_in_zone(
                real_people, frame.shape, camera.staff_zone, camera.ignore_zones
            )
            readings.append(FrameReading("ok", len(detection.people), len(in_zone)))
        else:
            readings.append(FrameReading(health.status))
        detections.append(detection)
    burst = combine_burst(readings)
    signature = healths[-1].signature
    evidence_jpeg = None
    if burst.evidence_index is not None:
        index = burst.evidence_index
        with stage_timer("blur"):
            evidence_jpeg = render_evidence(frames[index], detections[index])
    minimum = _min_staff(observation)
    return _finish(
        observation,
        now,
        status=burst.status,
        people_total=burst.people_total,
        people_in_zone=burst.people_in_zone,
        is_open=None if burst.people_in_zone is None else burst.people_in_zone >= minimum,
        detector=(detector.name, detector.version),
        signature=signature,
        health=healths[-1].as_dict(),
        evidence_jpeg=evidence_jpeg,
        duration_ms=int((time.perf_counter() - started) * 1000),
        live=live,
    )


def _is_recorded(camera: Camera) -> bool:
    return camera.source_url.startswith(("replay:", "file:"))


# Recorded sources (replays, files) show the same pictures again and again; live cameras never
# do (sensor noise), so only recorded frames are worth remembering.
_RECORDED_DETECTIONS: OrderedDict[tuple[str, str, bytes], Detection] = OrderedDict()
_RECORDED_CACHE_SIZE = 256


def _detect(detector: PeopleDetector, frame: np.ndarray, *, recorded: bool) -> Detection:
    if not recorded:
        return detector.detect(frame)
    key = (
        detector.name,
        detector.version,
        hashlib.blake2b(frame.tobytes(), digest_size=16).digest(),
    )
    if (cached := _RECORDED_DETECTIONS.get(key)) is not None:
        _RECORDED_DETECTIONS.move_to_end(key)
        return cached
    detection = _RECORDED_DETECTIONS[key] = detector.detect(frame)
    if len(_RECORDED_DETECTIONS) > _RECORDED_CACHE_SIZE:
        _RECORDED_DETECTIONS.popitem(last=False)
    return detection


def _min_staff(observation: Observation) -> int:
    """Staff needed to count as open that day (the calendar the verdict uses; 1 on days off)."""
    office = cast(Office, observation.camera.office)  # checks run on office cameras only
    hours = office_day_for(office, observation.office_date).hours
    return hours.min_staff if hours is not None else 1


def _finish(*args: Any, **kwargs: Any) -> CheckSummary:
    with stage_timer("db"):
        return _write_result(*args, **kwargs)


def _write_result(
    observation: Observation,
    now: datetime,
    *,
    status: str,
    error: str = "",
    people_total: int | None = None,
    people_in_zone: int | None = None,
    is_open: bool | None = None,
    detector: tuple[str, str] = ("", ""),
    signature: str = "",
    health: dict | None = None,
    evidence_jpeg: bytes | None = None,
    duration_ms: int | None = None,
    live: bool = False,
) -> CheckSummary:
    with transaction.atomic():
        observation.status = status
        observation.error_message = error[:500]
        observation.captured_at = now if status == ObservationStatus.OK else None
        observation.people_count = people_total
        observation.people_in_zone = people_in_zone
        observation.is_open = is_open
        observation.detector_name, observation.detector_version = detector
        observation.frame_signature = signature
        observation.health = health or {}
        observation.duration_ms = duration_ms
        observation.attempts += 1
        observation.save()
        if evidence_jpeg is not None:
            _store_evidence(observation, evidence_jpeg)
    office_id = cast(int, observation.camera.office_id)  # checks run on office cameras only
    refresh_daily_verdict(office_id, observation.office_date, now, send_alerts=live)
    return CheckSummary(observation.pk, status, people_in_zone)


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
    detects a moved camera and drops static look-alikes such as posters. Returns the number of
    frames used.
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
    camera.save(update_fields=["reference_signature"])
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
