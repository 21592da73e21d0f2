"""Thin Celery wrappers around camera services."""

import logging
import random
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from cameras import services, stills
from cameras.models import Observation
from kelurahan_monitor.queueing import publish_from_request

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


def _retry_countdown(retries: int) -> float:
    """Exponential backoff with jitter: about 5 s, 10 s, 20 s."""
    return 5 * 2**retries * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


@shared_task(
    bind=True,
    name="cameras.tasks.run_camera_check",
    max_retries=MAX_RETRIES,
    # Above the capture deadline (10 s, plus a burst) and below the Redis visibility timeout.
    soft_time_limit=45,
    time_limit=60,
)
def run_camera_check(self, observation_id: int) -> str:
    """Check one camera slot (services.run_camera_check); transient camera errors are retried
    while the slot's window lasts, then recorded as no data."""
    clock = timezone.now()
    try:
        return services.run_camera_check(observation_id, self.request.id or "", clock).status
    except services.TRANSIENT_ERRORS as exc:
        expires_at = (
            Observation.objects.filter(pk=observation_id)
            .values_list("expires_at", flat=True)
            .first()
        )
        countdown = _retry_countdown(self.request.retries)
        in_window = (
            expires_at is None or timezone.now().timestamp() + countdown < expires_at.timestamp()
        )
        if self.request.retries < MAX_RETRIES and in_window:
            raise self.retry(exc=exc, countdown=countdown) from exc
        services.record_capture_failure(observation_id, exc.code, str(exc), timezone.now())
        return exc.code
    except SoftTimeLimitExceeded:
        services.record_capture_failure(
            observation_id, "timeout", "check exceeded its time limit", timezone.now()
        )
        return "timeout"


@shared_task(
    name="cameras.tasks.capture_still",
    # One frame, not a burst: above the capture deadline, below the interval's usefulness.
    soft_time_limit=30,
    time_limit=40,
)
def capture_still(camera_id: int, slot_iso: str) -> str:
    """Capture the wall/public still of one camera for one interval (duplicates are no-ops)."""
    try:
        summary = stills.capture_still(camera_id, datetime.fromisoformat(slot_iso), timezone.now())
    except SoftTimeLimitExceeded:
        logger.warning("still of camera %s exceeded its time limit", camera_id)
        return "timeout"
    return summary.status


def queue_still_captures(requests: Sequence[stills.StillRequest]) -> None:
    """Enqueue the captures a page claimed (stills.request_stills), once its transaction
    commits, within a short bound: a broker outage never holds the page."""
    if not requests:
        return
    messages = [
        (
            capture_still,
            (request.camera_id, request.slot.isoformat()),
            {"expires": request.expires_s},
        )
        for request in requests
    ]
    transaction.on_commit(partial(publish_from_request, messages))


@shared_task(name="cameras.tasks.purge_old_stills")
def purge_old_stills() -> int:
    """Delete wall/public stills past STILL_RETENTION_HOURS."""
    return stills.purge_old_stills()


@shared_task(name="cameras.tasks.purge_expired_evidence")
def purge_expired_evidence() -> int:
    """Delete evidence images past the retention period (numbers are kept)."""
    return services.purge_expired_evidence()
