"""Thin Celery wrappers around compliance services."""

from celery import shared_task
from django.utils import timezone

from compliance import seeding


@shared_task(name="compliance.tasks.sync_national_holidays")
def sync_national_holidays(years: list[int] | None = None) -> dict[str, int]:
    """Upsert national holidays and cuti bersama (default: this year and next); idempotent."""
    this_year = timezone.localdate().year
    report = seeding.sync_national_holidays(years or [this_year, this_year + 1])
    return dict(report.created)
