"""Thin Celery wrappers around complaint services."""

from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from complaints import services


@shared_task(
    name="complaints.tasks.verify_complaint",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_jitter=True,
    max_retries=3,
)
def verify_complaint(complaint_id: int) -> str:
    """Re-check one complaint against the camera observations (idempotent)."""
    return services.verify_complaint(complaint_id).verification


@shared_task(name="complaints.tasks.close_unanswered_complaints")
def close_unanswered_complaints(day: str | None = None) -> int:
    """Close answered complaints whose 10-working-day reply period has passed (idempotent)."""
    today = date.fromisoformat(day) if day else timezone.localdate()
    return services.close_unanswered_complaints(today)


@shared_task(name="complaints.tasks.recheck_recent_complaints", ignore_result=True)
def recheck_recent_complaints() -> int:
    """Re-check complaints whose camera window closed after they were filed (idempotent)."""
    return services.recheck_recent_complaints(timezone.now())
