"""The 08:00 morning summary: at each government's own local time, once a day, by e-mail and
by the alerts' signed webhook, with the board's counts and the offices not open yet."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from compliance import selectors, summary, tasks
from compliance.models import DailyVerdict, MorningSummary
from places.models import LocalGovernment, Office
from tests.webhook_receiver import webhook_receiver

WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)
SUNDAY = date(2026, 11, 29)


def wita(hour: int, minute: int, day: date = TUESDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WITA)


@pytest.fixture
def morning(kendari, settings):
    """Kendari at 08:00 on a Tuesday: one office on time, one late, two not open, the rest
    not judged yet; the mayor's office on the report list."""
    settings.REPORT_RECIPIENTS = []
    LocalGovernment.objects.filter(pk=kendari.pk).update(report_emails="walikota@kendari.go.id")
    offices = list(Office.objects.filter(kecamatan__local_government=kendari).order_by("code"))
    statuses = ["on_time", "late", "not_opened", "not_opened"]
    for office, status in zip(offices, statuses, strict=False):
        DailyVerdict.objects.create(
            office=office, date=TUESDAY, status=status, scheduled_open=wita(7, 30)
        )
    return offices


def test_is_due_from_the_set_time_for_the_window():
    assert not summary.is_due(wita(7, 59), time(8, 0))
    assert summary.is_due(wita(8, 0), time(8, 0))
    assert summary.is_due(wita(10, 59), time(8, 0))
    assert not summary.is_due(wita(11, 0), time(8, 0))  # three hours late: news no longer


def test_the_message_lists_the_counts_and_the_offices_not_open():
    tile = selectors.Tile(
        office_id=1,
        code="A",
        name="Anduonohu",
        kecamatan="Poasia",
        status="not_opened",
        status_label="Tidak buka",
        opened_at=None,
        scheduled_open=None,
        minutes_late=None,
        is_final=False,
        overridden=False,
        scheduled_hm="07:30",
    )
    on_time = selectors.Tile(
        **{**tile.__dict__, "office_id": 2, "name": "Bende", "status": "on_time"}
    )
    waiting = selectors.Tile(**{**tile.__dict__, "office_id": 3, "name": "Lepo", "status": ""})
    facts = summary.facts_from_tiles("Kota Kendari", wita(8, 0), "WITA", [tile, on_time, waiting])
    subject, body = summary.compose_message(facts)
    assert subject == "Ringkasan pagi Kota Kendari 24-11-2026"
    assert "08:00 WITA" in body
    assert "Tepat waktu: 1" in body
    assert "Tidak buka: 1" in body
    assert "Belum dinilai: 1" in body
    assert "Jumlah kantor: 3" in body
    assert "- Anduonohu (Poasia) · jadwal 07:30" in body
    assert "Bende" not in body
    assert max(len(line) for line in body.splitlines()) <= 60  # a phone's width


@pytest.mark.django_db
def test_sent_once_at_the_set_local_time_with_the_boards_counts(morning, kendari, make_role_user):
    assert summary.send_due_morning_summaries(wita(7, 59)) == []
    sent = summary.send_due_morning_summaries(wita(8, 0))
    assert len(sent) == 1
    # The beat runs again (twice, even): nothing more goes out.
    assert summary.send_due_morning_summaries(wita(8, 5)) == []
    assert summary.send_due_morning_summaries(wita(8, 5)) == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["walikota@kendari.go.id"]
    row = MorningSummary.objects.get()
    assert (row.date, row.delivered_at is not None, row.delivery_error) == (TUESDAY, True, "")

    staff = make_role_user("Diskominfo", kendari, username="walikota")
    board = selectors.board_for_day(TUESDAY, staff, now=wita(8, 0))
    for counter in board.counters:
        assert f"{counter.label}: {counter.count}" in message.body
    assert f"Belum dinilai: {board.awaiting}" in message.body
    assert f"Jumlah kantor: {board.total}" in message.body
    for tile in board.not_opened:
        assert f"- {tile.name} ({tile.kecamatan})" in message.body
    assert "Belum buka (2):" in message.body


@pytest.mark.django_db
def test_each_government_at_its_own_time_and_never_on_a_day_off(morning, kendari):
    LocalGovernment.objects.filter(pk=kendari.pk).update(morning_summary_at=time(9, 30))
    assert summary.send_due_morning_summaries(wita(8, 0)) == []
    assert len(summary.send_due_morning_summaries(wita(9, 30))) == 1
    assert summary.send_due_morning_summaries(wita(9, 30, SUNDAY)) == []
    assert MorningSummary.objects.count() == 1


@pytest.mark.django_db
def test_the_task_uses_the_clock_and_the_webhook_is_signed(morning, settings):
    with webhook_receiver() as (url, received):
        settings.ALERT_WEBHOOK_URL = url
        settings.ALERT_WEBHOOK_SECRET = "shared-secret"
        with time_machine.travel(wita(8, 2), tick=False):
            assert len(tasks.send_morning_summaries()) == 1
            assert tasks.send_morning_summaries() == []
    assert len(received) == 1
    body, signature = received[0]
    assert signature == "sha256=" + hmac.new(b"shared-secret", body, hashlib.sha256).hexdigest()
    payload = json.loads(body)
    assert payload["kind"] == "morning_summary"
    assert payload["date"] == "2026-11-24"
    assert payload["counts"]["not_opened"] == 2
    assert len(payload["not_open"]) == 2
    assert payload["message"] == mail.outbox[0].body


@pytest.mark.django_db
def test_a_failing_webhook_is_recorded_and_not_sent_twice(morning, settings):
    with webhook_receiver(status=500) as (url, received):
        settings.ALERT_WEBHOOK_URL = url
        summary.send_due_morning_summaries(wita(8, 0))
        summary.send_due_morning_summaries(wita(8, 5))
    assert len(received) == 1
    row = MorningSummary.objects.get()
    assert row.delivered_at is None
    assert row.delivery_error.startswith("webhook:")
    assert len(mail.outbox) == 1


def test_the_beat_runs_the_summary_task_every_few_minutes():
    from kelurahan_monitor.celery import app

    entry = app.conf.beat_schedule["morning-summaries"]
    assert entry["task"] == "compliance.tasks.send_morning_summaries"
    assert timedelta(seconds=entry["options"]["expires"]) < timedelta(minutes=5)
