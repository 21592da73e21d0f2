"""Thin Celery wrappers around compliance services."""

from datetime import date, timedelta

import requests
from celery import shared_task
from django.utils import timezone

from compliance import alerts, seeding, services


@shared_task(name="compliance.tasks.sync_national_holidays")
def sync_national_holidays(years: list[int] | None = None) -> dict[str, int]:
    """Upsert national holidays and cuti bersama (default: this year and next); idempotent."""
    this_year = timezone.localdate().year
    report = seeding.sync_national_holidays(years or [this_year, this_year + 1])
    return dict(report.created)


@shared_task(name="compliance.tasks.plan_due_checks", ignore_result=True)
def plan_due_checks() -> int:
    """The one-minute tick: claim due check slots and enqueue one check per camera and slot."""
    from cameras.tasks import run_camera_check

    result = services.plan_due_checks(timezone.now())
    for observation_id, expires_at in result.dispatched:
        run_camera_check.apply_async(args=(observation_id,), expires=expires_at)
    return len(result.dispatched)


@shared_task(name="compliance.tasks.finalise_daily_verdicts")
def finalise_daily_verdicts(day: str | None = None) -> int:
    """Write the final verdicts of a finished local date (default: yesterday)."""
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return len(services.recompute_verdicts(target, target))


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
