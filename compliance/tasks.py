"""Thin Celery wrappers around compliance services."""

import logging
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from datetime import time as dt_time

import requests
from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from cameras.tasks import capture_checks, run_camera_checks
from compliance import alerts, claiming, finalisation, services, summary
from places import seeding

logger = logging.getLogger(__name__)
# The tick publishes many messages: a broker that is down fails the first one quickly and the
# rest are not tried (they stay claimable for the next tick).
_PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2}


@shared_task(name="compliance.tasks.sync_national_holidays")
def sync_national_holidays(years: list[int] | None = None) -> dict[str, int]:
    """Upsert national holidays and cuti bersama (default: this year and next); idempotent."""
    this_year = timezone.localdate().year
    report = seeding.sync_national_holidays(years or [this_year, this_year + 1])
    return dict(report.created)


@shared_task(name="compliance.tasks.plan_due_checks", ignore_result=True)
def plan_due_checks() -> int:
    """The one-minute tick (services.run_tick), then publish the checks and alert deliveries
    it claimed; what the broker refuses is released for the next tick."""
    return tick_and_publish(timezone.now())


def tick_and_publish(now: datetime) -> int:
    """One tick at `now`: run it, publish what it claimed (groups of CHECK_BATCH_SIZE checks,
    one message each), release what the broker refused. Returns the number of checks
    published."""
    report = services.run_tick(now)
    groups = claiming.group_checks(report.plan.dispatched, settings.CHECK_BATCH_SIZE)
    sent = _publish_all(list(range(len(groups))), lambda index: _send_checks(groups[index]))
    published = [pk for index in sent for pk, _ in groups[index]]
    if unsent := sorted({pk for pk, _ in report.plan.dispatched} - set(published)):
        services.release_dispatch(unsent, now)
    delivered = _publish_all(report.alerts_to_deliver, _send_delivery)
    if unsent := sorted(set(report.alerts_to_deliver) - set(delivered)):
        alerts.release_alert_dispatch(unsent, now)
    return len(published)


def _send_checks(group: Sequence[tuple[int, datetime]]) -> None:
    # The message lives as long as its last check may still run; each check expires on its own.
    task = capture_checks if settings.CHECK_PIPELINE == "split" else run_camera_checks
    task.apply_async(
        args=([pk for pk, _ in group],),
        expires=max(expires_at for _, expires_at in group),
        retry=True,
        retry_policy=_PUBLISH_RETRY,
    )


def _send_delivery(alert_id: int) -> None:
    deliver_alert.apply_async(args=(alert_id,), retry=True, retry_policy=_PUBLISH_RETRY)


def _publish_all(ids: Sequence[int], send: Callable[[int], None]) -> list[int]:
    """Publish in order; stop at the first broker failure. Returns the ids published."""
    published: list[int] = []
    for pk in ids:
        try:
            send(pk)
        except (KombuOperationalError, OSError):
            logger.warning(
                "tick: broker unreachable, %d message(s) left", len(ids) - len(published)
            )
            break
        published.append(pk)
    return published


# A day waiting for the offices of a western zone is looked at again this often.
FINALISE_WAIT_MAX = timedelta(minutes=15)
# A finalisation whose cursor has not moved for this long lost its chain.
FINALISE_STALLED = timedelta(minutes=20)
# By this local time the 00:15 beat has started yesterday's finalisation, if it ran at all.
FINALISE_START_LATEST = dt_time(1, 0)


@shared_task(name="compliance.tasks.finalise_daily_verdicts")
def finalise_daily_verdicts(day: str | None = None) -> int:
    """Write the final verdicts of a finished local date (default: yesterday), batch after
    batch for up to VERDICT_FINALISE_BUDGET_S, then go on in a new task from the cursor.
    Returns the number of offices final so far (-1 when the soft time limit stopped it). A
    kill loses at most the batch in progress."""
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    started = time.monotonic()
    try:
        while True:
            step = finalisation.finalise_step(target, timezone.now(), settings.VERDICT_BATCH_SIZE)
            if step.done or step.busy:
                return step.offices_final
            if step.wait_until is not None:
                eta = min(step.wait_until, timezone.now() + FINALISE_WAIT_MAX)
                _continue_finalisation(target, eta)
                return step.offices_final
            if time.monotonic() - started > settings.VERDICT_FINALISE_BUDGET_S:
                _continue_finalisation(target, None)
                return step.offices_final
    except SoftTimeLimitExceeded:
        logger.warning("verdicts: finalising %s hit the soft time limit; going on", target)
        _continue_finalisation(target, None)
        return -1


def _continue_finalisation(day: date, eta: datetime | None) -> None:
    if eta is None:
        finalise_daily_verdicts.apply_async(args=(day.isoformat(),))
    else:
        finalise_daily_verdicts.apply_async(args=(day.isoformat(),), eta=eta)


@shared_task(name="compliance.tasks.finalise_waited_agent_days", ignore_result=True)
def finalise_waited_agent_days() -> int:
    """The office-agent days that waited their limit for the agent, judged final (once)."""
    return len(services.finalise_waited_agent_days(timezone.now()))


@shared_task(name="compliance.tasks.resume_verdict_finalisations", ignore_result=True)
def resume_verdict_finalisations() -> int:
    """Start again the finalisations of the last week that stopped (a lost message, a worker
    gone with its chain); a day another worker is on is left to it (the step says busy)."""
    now = timezone.now()
    days = finalisation.unfinished_days(
        timezone.localdate(now) - timedelta(days=7), stalled_before=now - FINALISE_STALLED
    )
    # The 00:15 beat may never have run (beat down, its message lost): yesterday's
    # finalisation is started here once the night's start is well past.
    yesterday = timezone.localdate(now) - timedelta(days=1)
    if timezone.localtime(now).time() >= FINALISE_START_LATEST and not finalisation.started(
        yesterday
    ):
        days.append(yesterday)
    for day in days:
        finalise_daily_verdicts.delay(day.isoformat())
    return len(days)


@shared_task(
    name="compliance.tasks.deliver_alert",
    autoretry_for=(requests.RequestException,),
    retry_backoff=10,
    retry_jitter=True,
    max_retries=5,
)
def deliver_alert(alert_id: int) -> bool:
    """Send one alert by e-mail and webhook (once; a retry after success does nothing)."""
    return alerts.deliver_alert(alert_id)


@shared_task(name="compliance.tasks.send_morning_summaries")
def send_morning_summaries() -> list[int]:
    """Every few minutes: the morning summary of each government whose set time has come."""
    return summary.send_due_morning_summaries()
