from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cameras.models import Observation
from compliance import services
from compliance.models import DailyVerdict, SecurityEvent, VerdictChange
from places.models import Excuse, Office
from tests.factories import CameraFactory, UserFactory

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)


def wita(hour: int, minute: int, day: date = TUESDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WITA)


@pytest.fixture
def office(kendari) -> Office:
    office = Office.objects.get(code="74.71.01.1005")
    CameraFactory(office=office)
    return office


def record(office: Office, at: datetime, people: int | None, status: str = "ok") -> Observation:
    camera = office.cameras.first()
    return Observation.objects.create(
        camera=camera,
        slot=at,
        office_date=at.astimezone(WITA).date(),
        status=status,
        people_in_zone=people,
        people_count=people,
    )


def test_tick_claims_one_check_per_camera_and_slot(office):
    result = services.plan_due_checks(wita(7, 30))
    assert result.offices_considered == 1
    observation = Observation.objects.get()
    assert observation.slot == wita(7, 30)
    assert observation.kind == "opening"
    assert observation.office_date == TUESDAY
    assert [pk for pk, _ in result.dispatched] == [observation.pk]
    assert observation.expires_at == wita(7, 35)


def test_a_second_tick_for_the_same_minute_dispatches_nothing(office):
    services.plan_due_checks(wita(7, 30))
    again = services.plan_due_checks(wita(7, 30))
    assert again.dispatched == []
    assert Observation.objects.count() == 1


def test_a_missed_tick_still_claims_slots_inside_their_window(office):
    result = services.plan_due_checks(wita(7, 33))
    assert [o.slot for o in Observation.objects.all()] == [wita(7, 30)]
    assert len(result.dispatched) == 1


def test_an_expired_slot_is_not_claimed(office):
    services.plan_due_checks(wita(7, 41))
    assert sorted(o.slot for o in Observation.objects.all()) == [wita(7, 40)]


def test_utc_evening_is_next_morning_in_wita(office):
    services.plan_due_checks(datetime(2026, 11, 23, 23, 30, tzinfo=UTC))
    observation = Observation.objects.get()
    assert observation.office_date == date(2026, 11, 24)


def test_no_office_checks_on_a_holiday(office):
    christmas = date(2026, 12, 25)
    assert services.plan_due_checks(wita(7, 30, christmas)).dispatched == []


def test_a_lost_message_is_dispatched_again(office):
    services.plan_due_checks(wita(7, 30))
    again = services.plan_due_checks(wita(7, 33))
    assert len(again.dispatched) == 1


def test_tick_query_count_does_not_grow_with_offices(kendari):
    offices = list(Office.objects.order_by("code"))
    CameraFactory(office=offices[0])
    with CaptureQueriesContext(connection) as one:
        services.plan_due_checks(wita(7, 30))
    Observation.objects.all().delete()
    for office in offices[1:40]:
        CameraFactory(office=office)
    with CaptureQueriesContext(connection) as forty:
        services.plan_due_checks(wita(7, 30))
    assert Observation.objects.count() == 40
    assert len(forty) == len(one)


def test_verdict_on_time(office):
    record(office, wita(7, 25), 0)
    record(office, wita(7, 30), 1)
    record(office, wita(7, 35), 2)
    verdict = services.refresh_daily_verdict(office.pk, TUESDAY, now=wita(8, 0))
    assert verdict.status == "on_time"
    assert verdict.opened_at == wita(7, 30)
    assert not verdict.is_final


def test_verdict_late_counts_minutes_from_scheduled_opening(office):
    for minute in range(0, 125, 5):
        record(office, wita(7, 0) + timedelta(minutes=minute), 1 if minute >= 60 else 0)
    verdict = services.refresh_daily_verdict(office.pk, TUESDAY, now=wita(9, 0))
    assert (verdict.status, verdict.minutes_late) == ("late", 30)
    assert verdict.scheduled_open == wita(7, 30)


def test_verdict_no_data_when_the_camera_was_down(office):
    for minute in range(0, 120, 5):
        record(office, wita(7, 0) + timedelta(minutes=minute), None, status="timeout")
    record(office, wita(9, 0), 2)
    record(office, wita(9, 5), 2)
    verdict = services.refresh_daily_verdict(office.pk, TUESDAY, now=wita(9, 10))
    assert verdict.status == "no_data"


def test_excuse_makes_the_day_excused(office):
    Excuse.objects.create(office=office, date_from=TUESDAY, date_to=TUESDAY, reason="Banjir")
    verdict = services.refresh_daily_verdict(office.pk, TUESDAY, now=None)
    assert verdict.status == "excused"


def test_people_on_a_holiday_are_a_security_event(office):
    christmas = date(2026, 12, 25)
    observation = record(office, wita(21, 0, christmas), 2)
    services.refresh_daily_verdict(office.pk, christmas, now=None)
    services.refresh_daily_verdict(office.pk, christmas, now=None)
    event = SecurityEvent.objects.get()
    assert (event.observation_id, event.people) == (observation.pk, 2)


def test_recompute_gives_the_same_answer_twice(office):
    for minute in range(0, 180, 5):
        record(office, wita(7, 0) + timedelta(minutes=minute), 1 if minute >= 50 else 0)
    first = services.recompute_verdicts(TUESDAY, TUESDAY, [office.code], now=wita(23, 0))
    snapshot = list(DailyVerdict.objects.values())
    second = services.recompute_verdicts(TUESDAY, TUESDAY, [office.code], now=wita(23, 0))
    assert [row.status for row in first] == [row.status for row in second] == ["late"]
    assert list(DailyVerdict.objects.values()) == [
        {**row, "computed_at": after["computed_at"]}
        for row, after in zip(snapshot, DailyVerdict.objects.values(), strict=True)
    ]


def test_override_keeps_an_audit_trail(office):
    record(office, wita(7, 30), 1)
    record(office, wita(7, 35), 1)
    verdict = services.refresh_daily_verdict(office.pk, TUESDAY, now=None)
    staff = UserFactory()
    services.override_verdict(verdict.pk, "excused", "Rapat di kantor camat", staff.pk)
    services.refresh_daily_verdict(office.pk, TUESDAY, now=None)
    verdict.refresh_from_db()
    assert verdict.effective_status == "excused"
    change = VerdictChange.objects.get()
    assert (change.previous_status, change.new_status, change.changed_by) == (
        verdict.status,
        "excused",
        staff,
    )


def test_override_without_reason_is_refused(office):
    record(office, wita(7, 30), 1)
    verdict = services.refresh_daily_verdict(office.pk, TUESDAY, now=None)
    with pytest.raises(ValueError, match="reason"):
        services.override_verdict(verdict.pk, "on_time", "  ", None)
