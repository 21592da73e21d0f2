"""Thin Celery wrappers around camera services."""

import logging
import random
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cameras import partitioning, pipeline, services, stills
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


# A group of checks runs in turn; each one's share of the limits is a single check's.
_CHECK_SOFT_LIMIT_S = 45


@shared_task(
    bind=True,
    name="cameras.tasks.run_camera_checks",
    soft_time_limit=_CHECK_SOFT_LIMIT_S * settings.CHECK_BATCH_SIZE,
    time_limit=_CHECK_SOFT_LIMIT_S * settings.CHECK_BATCH_SIZE + 15,
)
def run_camera_checks(self, observation_ids: list[int]) -> list[str]:
    """Run a group of checks in turn (one broker message from the tick for many checks).

    Each check is claimed, leased and recorded on its own, exactly as with one message each:
    a check done by someone else is skipped, and a redelivery of the group (its worker killed)
    takes over the check that was running under the same task id and skips the finished ones.
    A transient camera error hands that check to its own retrying `run_camera_check`; the time
    limit records the current check as a timeout and leaves the rest to the tick's reclaim."""
    token = self.request.id or ""
    statuses: list[str] = []
    for observation_id in observation_ids:
        try:
            summary = services.run_camera_check(observation_id, token, timezone.now())
            statuses.append(summary.status)
        except services.TRANSIENT_ERRORS as exc:
            statuses.append(_retry_alone(observation_id, token, exc))
        except SoftTimeLimitExceeded:
            services.record_capture_failure(
                observation_id, "timeout", "check exceeded its time limit", timezone.now()
            )
            statuses.append("timeout")
            break
    return statuses


def _retry_alone(
    observation_id: int, token: str, exc: Exception, retries: int = 0, *, split: bool = False
) -> str:
    """A check of a group met a transient error: retry it alone (the whole check, or with
    `split` its capture stage) while its window and MAX_RETRIES last, else record no data."""
    expires_at = (
        Observation.objects.filter(pk=observation_id).values_list("expires_at", flat=True).first()
    )
    countdown = _retry_countdown(retries)
    if (
        expires_at is None
        or timezone.now().timestamp() + countdown >= expires_at.timestamp()
        or retries >= MAX_RETRIES
    ):
        code = str(getattr(exc, "code", "error"))
        services.record_capture_failure(observation_id, code, str(exc), timezone.now())
        return code
    if services.release_claim(observation_id, token):
        if split:
            capture_checks.apply_async(
                args=([observation_id], retries + 1), countdown=countdown, expires=expires_at
            )
        else:
            run_camera_check.apply_async(
                args=(observation_id,), countdown=countdown, expires=expires_at
            )
    return "retry"


@shared_task(bind=True, name="cameras.tasks.capture_checks")
def capture_checks(self, observation_ids: list[int], retries: int = 0) -> list[str]:
    """The capture stage of a group of checks (cameras.pipeline), on the `capture` queue: many
    threads, each waiting on one camera at a time. Each captured burst goes on to the `count`
    queue as JPEG bytes in one message. Camera calls carry their own deadlines (the threads
    pool has no time limits)."""
    token = self.request.id or ""
    statuses: list[str] = []
    for observation_id in observation_ids:
        try:
            captured = pipeline.capture_for_counting(observation_id, token, timezone.now())
        except services.TRANSIENT_ERRORS as exc:
            statuses.append(_retry_alone(observation_id, token, exc, retries, split=True))
            continue
        if isinstance(captured, services.CheckSummary):
            statuses.append(captured.status)
            continue
        count_check.apply_async(args=(pipeline.burst_to_message(captured),))
        statuses.append("captured")
    return statuses


@shared_task(
    name="cameras.tasks.count_check",
    soft_time_limit=_CHECK_SOFT_LIMIT_S,
    time_limit=_CHECK_SOFT_LIMIT_S + 15,
)
def count_check(burst: dict[str, object]) -> str:
    """The counting stage of one check (cameras.pipeline), on the `count` queue: CPU only, no
    camera waits. A redelivery counts again and records once (the capture's claim)."""
    captured = pipeline.burst_from_message(burst)
    try:
        return pipeline.count_captured(captured, timezone.now()).status
    except SoftTimeLimitExceeded:
        services.record_capture_failure(
            captured.observation_id, "timeout", "counting exceeded its time limit", timezone.now()
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


@shared_task(name="cameras.tasks.ensure_observation_partitions")
def ensure_observation_partitions() -> list[str]:
    """Create the coming months' observation partitions (partitioning.ensure_...; PostgreSQL)."""
    return partitioning.ensure_observation_partitions(timezone.localdate())


@shared_task(name="cameras.tasks.purge_expired_evidence")
def purge_expired_evidence() -> int:
    """Delete evidence images past the retention period (numbers are kept)."""
    return services.purge_expired_evidence()
