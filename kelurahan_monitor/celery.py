"""The Celery app: delivery guarantees, queues and the beat schedule (in code, not a table)."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kelurahan_monitor.settings")

app = Celery("kelurahan_monitor")
app.config_from_object("django.conf:settings", namespace="CELERY")

app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    # Safe only because every task is idempotent (natural keys + upserts): a task whose worker
    # dies is redelivered and redone, never lost.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    worker_max_tasks_per_child=500,
    broker_connection_retry_on_startup=True,
    # Camera calls have their own deadline (10 s by default); these are the backstops.
    task_soft_time_limit=60,
    task_time_limit=90,
    task_default_queue="default",
    task_queues=(
        Queue("default"),
        Queue("scheduling"),  # the one-minute tick: cheap, must never wait behind captures
        Queue("vision"),  # capture + detection: CPU bound, modest concurrency per machine
        # CHECK_PIPELINE=split: waiting on cameras (threads pool, high concurrency) and counting
        # (prefork, one process per core), scaled apart, on any machines.
        Queue("capture"),
        Queue("count"),
        Queue("reports"),  # exports and e-mails
    ),
    task_routes={
        # Exact names before the patterns (Celery tries them first).
        "cameras.tasks.capture_checks": {"queue": "capture"},
        "cameras.tasks.count_check": {"queue": "count"},
        "compliance.tasks.*": {"queue": "scheduling"},
        "cameras.tasks.*": {"queue": "vision"},
        "reports.tasks.*": {"queue": "reports"},
    },
)

# Per-office timing is domain data: the tick asks the planner which checks are due now.
app.conf.beat_schedule = {
    "plan-due-checks-every-minute": {
        "task": "compliance.tasks.plan_due_checks",
        "schedule": crontab(),
        # A tick that waited a minute in the queue is superseded by the next one.
        "options": {"expires": 55},
    },
    "finalise-yesterdays-verdicts": {
        "task": "compliance.tasks.finalise_daily_verdicts",
        "schedule": crontab(minute=15, hour=0),
    },
    # Each government's morning summary at its own local time (a row claims each day's).
    "morning-summaries": {
        "task": "compliance.tasks.send_morning_summaries",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # An office agent's day still waiting for it AGENT_WAIT_LIMIT after it ended is judged on
    # what arrived (no data where nothing did).
    "finalise-waited-agent-days": {
        "task": "compliance.tasks.finalise_waited_agent_days",
        "schedule": crontab(minute=45, hour=0),
        "options": {"expires": 3600},
    },
    # A finalisation whose chain broke (message lost, worker gone) goes on from its cursor.
    "resume-verdict-finalisations": {
        "task": "compliance.tasks.resume_verdict_finalisations",
        "schedule": crontab(minute="*/30"),
        "options": {"expires": 600},
    },
    # Reports: the tasks skip days on which no office works.
    "daily-report-morning": {
        "task": "reports.tasks.build_and_send_daily_report",
        "schedule": crontab(minute=30, hour=10),
        "args": ("morning",),
        "options": {"expires": 3 * 3600},
    },
    "daily-report-end-of-day": {
        "task": "reports.tasks.build_and_send_daily_report",
        "schedule": crontab(minute=45, hour=17),
        "args": ("end_of_day",),
        "options": {"expires": 5 * 3600},
    },
    "monthly-report": {
        "task": "reports.tasks.build_and_send_monthly_report",
        "schedule": crontab(minute=0, hour=7, day_of_month=1),
    },
    # Complaints: check again once the ±15 min camera window has passed; close unanswered ones.
    "recheck-recent-complaints": {
        "task": "complaints.tasks.recheck_recent_complaints",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    "close-unanswered-complaints": {
        "task": "complaints.tasks.close_unanswered_complaints",
        "schedule": crontab(minute=20, hour=0),
    },
    # PostgreSQL: the coming months' observation partitions, weeks before their first row.
    "create-observation-partitions": {
        "task": "cameras.tasks.ensure_observation_partitions",
        "schedule": crontab(minute=40, hour=1),
        "options": {"expires": 3600},
    },
    "purge-expired-evidence": {
        "task": "cameras.tasks.purge_expired_evidence",
        "schedule": crontab(minute=30, hour=2),
    },
    "purge-old-stills-hourly": {
        "task": "cameras.tasks.purge_old_stills",
        "schedule": crontab(minute=7),
    },
    "sync-holidays-twice-a-year": {
        "task": "compliance.tasks.sync_national_holidays",
        "schedule": crontab(minute=5, hour=0, day_of_month=1, month_of_year="1,7"),
    },
}

app.autodiscover_tasks()

# Workers and beat log through settings.LOGGING, like the web processes: the same handlers and
# the same credential-redacting formatter and filter. Celery would otherwise replace the root
# logger's handlers with its own, which know nothing of redaction.
app.conf.worker_hijack_root_logger = False


@setup_logging.connect
def configure_logging_like_django(loglevel: int | str | None = None, **_: object) -> None:
    from logging import getLogger
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
    if loglevel:
        getLogger().setLevel(loglevel)
