"""Stills for the command-centre wall and the public page: one capture per camera per interval.

Viewers never capture. A page asks `request_stills()`, which writes a pending still row (the
unique (camera, slot) row is the claim) only for cameras whose latest still is older than the
current interval, and only once per interval (an atomic cache add first, so most page views
write nothing). The page's interface then enqueues the captures it was handed
(cameras.tasks.queue_still_captures); this module enqueues nothing. However many people watch,
a camera sees at most one capture per interval; nobody watching means no captures at all.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cameras import sources
from cameras.domain.wall import Health, health_of, is_stale, next_health, still_slot
from cameras.models import Camera, CameraStill, ObservationStatus
from cameras.services import camera_address, detector_name_for
from cameras.vision import Detection, PeopleDetector, get_detector
from cameras.vision.health import assess_frame_health
from cameras.vision.privacy import render_evidence

logger = logging.getLogger(__name__)

STILL_WIDTH = 640  # wide enough for a 4K wall tile, small enough for a phone on a slow link
_UNFINISHED = (ObservationStatus.PENDING, ObservationStatus.RUNNING)


@dataclass(frozen=True)
class StillSummary:
    camera_id: int
    status: str  # a capture status, or "skipped" (duplicate or disabled camera)
    still_id: int | None = None


@dataclass(frozen=True)
class StillRequest:
    """A capture to enqueue: the camera, the interval's slot, and how long the request lasts."""

    camera_id: int
    slot: datetime
    expires_s: int


def request_stills(cameras: list[Camera], now: datetime) -> list[StillRequest]:
    """Claim the capture of every enabled camera without a still for the current interval.

    Safe to call on every page view: the cache key lets one caller per camera and interval
    through (Redis or Memcached in a multi-process deployment, see CACHE_URL), and the pending
    row is taken once whatever the cache says. Returns the captures this call claimed, for the
    caller to enqueue.
    """
    interval = settings.STILL_INTERVAL_SECONDS
    slot = still_slot(now, interval)
    claimed = []
    for camera in cameras:
        still = camera.latest_still if camera.latest_still_id else None
        latest = still.slot if still is not None else None
        if not camera.enabled or not is_stale(latest, now, interval):
            continue
        key = f"still-request:{camera.pk}:{int(slot.timestamp())}"
        if cache.add(key, 1, timeout=interval * 2):
            claimed.append(StillRequest(camera.pk, slot, interval))
    # One statement for the whole page. Two processes with separate caches may both ask for
    # a camera: the second capture finds the row taken and does nothing.
    CameraStill.objects.bulk_create(
        [
            CameraStill(camera_id=request.camera_id, slot=slot, status=ObservationStatus.PENDING)
            for request in claimed
        ],
        ignore_conflicts=True,
    )
    return claimed


def capture_still(camera_id: int, slot: datetime, now: datetime) -> StillSummary:
    """Capture, blur and store the still of (camera, slot); a duplicate delivery is a no-op.

    The staff image hides faces and heads as evidence does; a public camera's public image
    hides every detected person in full. When detection fails no public image is made.
    """
    camera = (
        Camera.objects.select_related("local_government", "latest_still")
        .filter(pk=camera_id)
        .first()
    )
    if camera is None or not camera.enabled:
        return StillSummary(camera_id, "skipped")
    still = _claim_still(camera, slot)
    if still is None:
        return StillSummary(camera_id, "skipped")

    started = time.perf_counter()
    zone = ZoneInfo(camera.local_government.time_zone)
    try:
        frame = sources.capture_frame(camera_address(camera), at=now, zone=zone)
    except sources.CaptureError as exc:
        return _finish(camera, still, now, started, status=exc.code, error=str(exc))
    previous = _previous_signature(camera, slot)
    health = assess_frame_health(
        frame, previous_signature=previous, reference_signature=camera.reference_signature
    )
    detector = get_detector(detector_name_for(camera))
    try:
        detection: Detection = detector.detect(frame)
    except Exception:
        # Never publish a frame whose people were not found; the staff image still hides faces
        # (no boxes means only a downscaled picture, so it is withheld too).
        logger.exception("detection failed on still of camera %s", camera.pk)
        return _finish(
            camera, still, now, started, status=ObservationStatus.ERROR, error="detection failed"
        )
    staff_jpeg = render_evidence(frame, detection, max_width=STILL_WIDTH, quality=75)
    public_jpeg = (
        render_evidence(frame, detection, max_width=STILL_WIDTH, quality=70, full_body=True)
        if camera.is_public
        else None
    )
    return _finish(
        camera,
        still,
        now,
        started,
        status=health.status,
        people=detection.count if health.status == "ok" else None,
        signature=health.signature,
        detector=detector,
        staff_jpeg=staff_jpeg,
        public_jpeg=public_jpeg,
    )


def _claim_still(camera: Camera, slot: datetime) -> CameraStill | None:
    """Take the (camera, slot) still: the pending row a page requested, or a new row when the
    capture was asked for directly. None when another delivery has it (a duplicate)."""
    taken = CameraStill.objects.filter(
        camera=camera, slot=slot, status=ObservationStatus.PENDING
    ).update(status=ObservationStatus.RUNNING)
    if not taken:
        try:
            with transaction.atomic():
                return CameraStill.objects.create(
                    camera=camera, slot=slot, status=ObservationStatus.RUNNING
                )
        except IntegrityError:
            return None
    return CameraStill.objects.get(camera=camera, slot=slot)


def _previous_signature(camera: Camera, slot: datetime) -> str:
    return (
        CameraStill.objects.filter(camera=camera, slot__lt=slot)
        .exclude(frame_signature="")
        .order_by("-slot")
        .values_list("frame_signature", flat=True)
        .first()
        or ""
    )


def _finish(
    camera: Camera,
    still: CameraStill,
    now: datetime,
    started: float,
    *,
    status: str,
    error: str = "",
    people: int | None = None,
    signature: str = "",
    detector: PeopleDetector | None = None,
    staff_jpeg: bytes | None = None,
    public_jpeg: bytes | None = None,
) -> StillSummary:
    still.status = status
    still.error_message = sources.redact_url(error)[:500] if error else ""
    still.captured_at = now
    still.people_count = people
    still.frame_signature = signature
    if detector is not None:
        still.detector_name, still.detector_version = detector.name, detector.version
    still.duration_ms = int((time.perf_counter() - started) * 1000)
    stem = f"{camera.pk}/{still.slot:%Y%m%d-%H%M%S}"
    if staff_jpeg is not None:
        still.image.save(f"{stem}.jpg", ContentFile(staff_jpeg), save=False)
    if public_jpeg is not None:
        still.public_image.save(f"{stem}-publik.jpg", ContentFile(public_jpeg), save=False)
    still.save()
    _advance_camera(camera, still, now)
    return StillSummary(camera.pk, status, still.pk)


def _advance_camera(camera: Camera, still: CameraStill, now: datetime) -> None:
    """Point the camera at its newest still and move its health state (newer slots win)."""
    with transaction.atomic():
        # Lock only the camera row: PostgreSQL refuses FOR UPDATE across the nullable join.
        locked = Camera.objects.select_for_update(of=("self",)).get(pk=camera.pk)
        latest_slot = (
            # pk=None is a valid lookup that matches nothing; the stubs only accept str | int.
            CameraStill.objects.filter(pk=locked.latest_still_id)  # type: ignore[misc]
            .values_list("slot", flat=True)
            .first()
        )
        if latest_slot is not None and latest_slot > still.slot:
            return  # a later interval finished first: it already tells the current state
        state, since = next_health(
            Health(locked.health_state), locked.health_since, health_of(still.status), now
        )
        updates = {"latest_still": still, "health_state": state.value, "health_since": since}
        if still.image:
            updates["latest_picture"] = still
        Camera.objects.filter(pk=camera.pk).update(**updates)


def purge_old_stills(now: datetime | None = None) -> int:
    """Delete stills older than STILL_RETENTION_HOURS (their images too); keep each camera's
    latest picture so the wall never goes blank for a camera that has been down a long time."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.STILL_RETENTION_HOURS)
    kept = Camera.objects.exclude(latest_picture=None).values("latest_picture")
    kept_latest = Camera.objects.exclude(latest_still=None).values("latest_still")
    old = CameraStill.objects.filter(slot__lt=cutoff).exclude(
        Q(pk__in=kept) | Q(pk__in=kept_latest)
    )
    purged = 0
    for still in old.iterator():
        still.image.delete(save=False)
        still.public_image.delete(save=False)
        still.delete()
        purged += 1
    # A worker killed mid-capture leaves its row running; it tells nothing after the interval.
    CameraStill.objects.filter(
        status__in=_UNFINISHED, slot__lt=(now or timezone.now()) - timedelta(minutes=10)
    ).update(status=ObservationStatus.EXPIRED)
    return purged
