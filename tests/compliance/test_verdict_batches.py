"""Verdicts in bulk: the same verdicts as office by office, a fixed number of queries a batch."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cameras.models import Observation
from compliance import services, verdict_batches
from compliance.models import DailyVerdict, SecurityEvent
from places.models import Excuse, Office
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)


def wita(hour: int, minute: int, day: date = TUESDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WITA)


def a_day_of_checks(office: Office, pattern: int) -> None:
    """42 checks from 07:00, every 5 minutes; the pattern picks how the office's day went."""
    camera = CameraFactory(office=office)
    rows = []
    for n in range(42):
        at = wita(7, 0) + timedelta(minutes=5 * n)
        status, people = "ok", 0
        if pattern == 0:  # on time
            people = 1 if at >= wita(7, 30) else 0
        elif pattern == 1:  # late
            people = 1 if at >= wita(8, 40) else 0
        elif pattern == 2:  # camera down all morning
            status, people = "timeout", None
        elif pattern == 3:  # never opened
            people = 0
        rows.append(
            Observation(
                camera=camera,
                slot=at,
                office_date=TUESDAY,
                status=status,
                people_in_zone=people,
                people_count=people,
            )
        )
    # Somebody in the office at night: a security event.
    rows.append(
        Observation(
            camera=camera,
            slot=wita(22, 0),
            office_date=TUESDAY,
            status="ok",
            people_in_zone=2,
            people_count=2,
        )
    )
    Observation.objects.bulk_create(rows)


@pytest.fixture
def offices(kendari) -> list[Office]:
    offices = list(Office.objects.order_by("pk")[:12])
    for index, office in enumerate(offices):
        a_day_of_checks(office, index % 4)
    Excuse.objects.create(office=offices[5], date_from=TUESDAY, date_to=TUESDAY, reason="Banjir")
    return offices


def verdicts() -> list[dict]:
    return [
        {key: value for key, value in row.items() if key not in {"id", "computed_at"}}
        for row in DailyVerdict.objects.order_by("office_id").values()
    ]


def test_batches_give_the_verdicts_of_one_office_at_a_time(offices, monkeypatch):
    for office in offices:
        services.refresh_daily_verdict(office.pk, TUESDAY, now=None)
    one_by_one = verdicts()
    events = sorted(SecurityEvent.objects.values_list("observation_id", flat=True))
    DailyVerdict.objects.all().delete()
    SecurityEvent.objects.all().delete()

    monkeypatch.setattr(verdict_batches, "VERDICT_BATCH_SIZE", 5)
    judged = verdict_batches.judge_office_days([(o.pk, TUESDAY) for o in offices], None)

    assert len(judged) == len(offices)
    assert verdicts() == one_by_one
    assert {row["status"] for row in one_by_one} == {
        "on_time",
        "late",
        "no_data",
        "not_opened",
        "excused",
    }
    assert all(row["is_final"] for row in one_by_one)
    assert sorted(SecurityEvent.objects.values_list("observation_id", flat=True)) == events
    # Each new security event is reported once, on the run that found it.
    assert sum(len(day.new_after_hours) for day in judged) == len(events) >= len(offices) - 1
    again = verdict_batches.judge_office_days([(o.pk, TUESDAY) for o in offices], None)
    assert all(day.new_after_hours == [] for day in again)


def test_a_batch_costs_the_same_queries_for_two_offices_or_twelve(offices):
    few = verdict_batches.offices_for_judging([o.pk for o in offices[:2]])
    with CaptureQueriesContext(connection) as two:
        verdict_batches.judge_loaded(few, [(pk, TUESDAY) for pk in few], None)
    DailyVerdict.objects.all().delete()
    SecurityEvent.objects.all().delete()
    many = verdict_batches.offices_for_judging([o.pk for o in offices])
    with CaptureQueriesContext(connection) as twelve:
        verdict_batches.judge_loaded(many, [(pk, TUESDAY) for pk in many], None)
    assert DailyVerdict.objects.count() == 12
    assert len(twelve) == len(two) <= 12


def test_the_number_of_queries_grows_with_batches_not_offices(offices, monkeypatch):
    monkeypatch.setattr(verdict_batches, "VERDICT_BATCH_SIZE", 6)
    with CaptureQueriesContext(connection) as two_batches:
        verdict_batches.judge_office_days([(o.pk, TUESDAY) for o in offices], None)
    monkeypatch.setattr(verdict_batches, "VERDICT_BATCH_SIZE", 12)
    with CaptureQueriesContext(connection) as one_batch:
        verdict_batches.judge_office_days([(o.pk, TUESDAY) for o in offices], None)
    assert len(two_batches) == 2 * len(one_batch)


def test_the_upsert_keeps_a_staff_override_and_updates_the_computed_columns(offices):
    office = offices[0]
    verdict = services.refresh_daily_verdict(office.pk, TUESDAY, now=wita(7, 50))
    assert verdict is not None
    assert not verdict.is_final
    services.override_verdict(verdict.pk, "excused", "Listrik padam", None)
    verdict_batches.judge_office_days([(office.pk, TUESDAY)], None)
    verdict.refresh_from_db()
    assert (verdict.status, verdict.is_final) == ("on_time", True)
    assert (verdict.override_status, verdict.effective_status) == ("excused", "excused")
    assert DailyVerdict.objects.filter(office=office).count() == 1


def test_recompute_judges_every_office_in_batches(offices, monkeypatch):
    monkeypatch.setattr(verdict_batches, "VERDICT_BATCH_SIZE", 5)
    rows = services.recompute_verdicts(TUESDAY, TUESDAY, now=wita(12, 0, TUESDAY + timedelta(1)))
    active = Office.objects.filter(active=True).count()
    assert len(rows) == DailyVerdict.objects.count() == active
    assert all(row.is_final for row in rows)
    assert [row.office_id for row in rows] == sorted(row.office_id for row in rows)


def test_the_nightly_upsert_without_rows_writes_what_the_rows_path_writes(offices):
    """The finalisation's upsert (`keep_rows=False`: column arrays on PostgreSQL, no model per
    office day) and the recompute's (model rows) write the same verdicts, and both keep a
    staff override."""
    loaded = verdict_batches.offices_for_judging([office.pk for office in offices])
    pairs = [(office.pk, TUESDAY) for office in offices]
    kept = verdict_batches.judge_loaded(loaded, pairs, None)
    assert all(day.row is not None for day in kept)
    by_rows = verdicts()
    DailyVerdict.objects.filter(office=offices[1]).update(
        override_status="on_time", override_reason="rapat di luar", status="not_opened"
    )
    DailyVerdict.objects.filter(office=offices[2]).delete()

    judged = verdict_batches.judge_loaded(loaded, pairs, None, keep_rows=False)

    assert all(day.row is None for day in judged)
    assert [day.verdict for day in judged] == [day.verdict for day in kept]
    by_values = verdicts()
    assert by_values[1].pop("override_status") == "on_time"
    assert by_values[1].pop("override_reason") == "rapat di luar"
    by_rows[1].pop("override_status"), by_rows[1].pop("override_reason")
    assert by_values == by_rows
    assert all(row["is_final"] for row in by_values)
