"""The tasks only parse their primitive arguments and call one service."""

from datetime import date
from smtplib import SMTPException

import pytest
from django.db import OperationalError

from reports import services, tasks


def test_daily_task_passes_kind_and_date(monkeypatch):
    calls = []

    class Stored:
        pk = 41

    monkeypatch.setattr(
        services,
        "build_and_send_daily_report",
        lambda kind, day: calls.append((kind, day)) or [Stored],
    )
    assert tasks.build_and_send_daily_report("sore", "2026-11-24") == [41]
    assert tasks.build_and_send_daily_report("pagi") == [41]
    assert calls == [("sore", date(2026, 11, 24)), ("pagi", None)]


def test_daily_task_on_a_day_off_returns_nothing(monkeypatch):
    monkeypatch.setattr(services, "build_and_send_daily_report", lambda kind, day: [])
    assert tasks.build_and_send_daily_report("pagi", "2026-11-22") == []


def test_monthly_task_parses_the_month(monkeypatch):
    calls = []

    class Stored:
        pk = 3

    monkeypatch.setattr(
        services, "build_and_send_monthly_report", lambda y, m: calls.append((y, m)) or [Stored]
    )
    assert tasks.build_and_send_monthly_report("2026-11") == [3]
    assert tasks.build_and_send_monthly_report() == [3]
    assert calls == [(2026, 11), (None, None)]


@pytest.mark.parametrize(
    "task", [tasks.build_and_send_daily_report, tasks.build_and_send_monthly_report]
)
def test_tasks_retry_only_transient_faults_a_few_times(task):
    assert set(task.autoretry_for) >= {OperationalError, SMTPException}
    assert ValueError not in task.autoretry_for
    assert 0 < task.max_retries <= 5
    assert task.name.startswith("reports.tasks.")
