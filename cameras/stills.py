"""Stills for the command-centre wall and the public page: one capture per camera per interval.

Viewers never capture. A page asks `request_stills()`, which queues a capture only for cameras
whose latest still is older than the current interval, and only once per interval (an atomic
cache add, then the unique (camera, slot) row). However many people watch, a camera sees at
most one request per interval; nobody watching means no captures at all.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

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


def request_stills(cameras: list[Camera], now: datetime) -> int:
    """Queue a capture of every enabled camera without a still for the current interval.

    Safe to call on every page view: the cache key lets one caller per camera and interval
    through (Redis or Memcached in a multi-process deployment, see CACHE_URL). Returns how
    many captures were queued by this call.
    """
    from cameras.tasks import capture_still as capture_still_task  # tasks import this module

    interval = settings.STILL_INTERVAL_SECONDS
    slot = still_slot(now, interval)
    queued = 0
    for camera in cameras:
        still = camera.latest_still if camera.latest_still_id else None
        latest = still.slot if still is not None else None
        if not camera.enabled or not is_stale(latest, now, interval):
            continue
        key = f"still-request:{camera.pk}:{int(slot.timestamp())}"
        if not cache.add(key, 1, timeout=interval * 2):
            continue
        transaction.on_commit(partial(_send_capture, capture_still_task, camera.pk, slot, interval))
        queued += 1
    return queued


def _send_capture(task, camera_id: int, slot: datetime, interval: int) -> None:
    """Queue one capture; a broker outage must not break the page that asked (it shows the
    stored stills, and the next interval asks again)."""
    try:
        task.apply_async((camera_id, slot.isoformat()), expires=interval, retry=False)
    except (KombuOperationalError, OSError):
        logger.warning("could not queue the still of camera %s: broker unreachable", camera_id)


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
    try:
        with transaction.atomic():
            still = CameraStill.objects.create(
                camera=camera, slot=slot, status=ObservationStatus.RUNNING
            )
    except IntegrityError:
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
