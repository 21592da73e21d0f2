"""Thin Celery wrappers around the report services (queue "reports")."""

from datetime import date
from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from reports import services

# Transient faults worth a retry: a busy database, an unreachable or refusing mail server.
_TRANSIENT = (OperationalError, SMTPException, ConnectionError, TimeoutError)


@shared_task(
    name="reports.tasks.build_and_send_daily_report",
    autoretry_for=_TRANSIENT,
    retry_backoff=30,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=300,
    time_limit=330,
)
def build_and_send_daily_report(kind: str, date_iso: str | None = None) -> list[int]:
    """Morning ("pagi") or end-of-day ("sore") reports of ``date_iso`` (default: today, local),
    one per local government whose offices work that day."""
    day = date.fromisoformat(date_iso) if date_iso else None
    return [report.pk for report in services.build_and_send_daily_report(kind, day)]


@shared_task(
    name="reports.tasks.build_and_send_monthly_report",
    autoretry_for=_TRANSIENT,
    retry_backoff=60,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=1800,
    time_limit=1900,
)
def build_and_send_monthly_report(month_iso: str | None = None) -> list[int]:
    """Monthly recaps of ``month_iso`` ("YYYY-MM"; default: last month), one per government."""
    year = month = None
    if month_iso:
        year, month = (int(part) for part in month_iso.split("-"))
    return [report.pk for report in services.build_and_send_monthly_report(year, month)]
