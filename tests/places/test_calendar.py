"""The calendar read API: an office's week, holidays, zone and day, from one place."""

from datetime import date, time

import pytest

from compliance.domain import DayStatus, HolidayKind
from places import calendar
from places.models import Holiday, LocalGovernment
from tests.factories import (
    KecamatanFactory,
    LocalGovernmentFactory,
    OfficeFactory,
    OpeningHoursFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 2)


@pytest.fixture
def two_governments():
    kendari = LocalGovernmentFactory(code="74.71", name="Kendari", time_zone="Asia/Makassar")
    jakarta = LocalGovernmentFactory(code="31.71", name="Jakarta Pusat", time_zone="Asia/Jakarta")
    return kendari, jakarta


def _office(government: LocalGovernment):
    return OfficeFactory(kecamatan=KecamatanFactory(local_government=government))


def test_office_hours_replace_the_government_default_on_their_weekday(two_governments):
    kendari, _ = two_governments
    office = _office(kendari)
    OpeningHoursFactory(local_government=kendari, weekday=0, opens_at=time(7, 30))
    OpeningHoursFactory(local_government=kendari, weekday=1, opens_at=time(7, 30))
    OpeningHoursFactory(local_government=kendari, office=office, weekday=0, opens_at=time(9))

    week = calendar.load_calendars([office], MONDAY, MONDAY).weekly_hours(office)

    assert week.days[0] is not None
    assert week.days[0].open == time(9)
    assert week.days[1] is not None
    assert week.days[1].open == time(7, 30)
    assert week.days[2] is None


def test_holidays_are_the_nations_and_the_offices_own_government_only(two_governments):
    kendari, jakarta = two_governments
    office = _office(kendari)
    Holiday.objects.create(date=MONDAY, name="Nasional", kind=HolidayKind.NATIONAL.value)
    Holiday.objects.create(
        date=date(2026, 11, 3), name="HUT Kendari", kind="local", local_government=kendari
    )
    Holiday.objects.create(
        date=date(2026, 11, 4), name="HUT Jakarta", kind="local", local_government=jakarta
    )

    calendars = calendar.load_calendars([office], MONDAY, date(2026, 11, 6))

    assert sorted(h.name for h in calendars.holidays_of(office)) == ["HUT Kendari", "Nasional"]
    assert calendars.office_day(office, MONDAY).status is DayStatus.HOLIDAY


def test_zone_and_cached_day_follow_the_offices_government(two_governments):
    _, jakarta = two_governments
    office = _office(jakarta)
    OpeningHoursFactory(local_government=jakarta, weekday=0)

    assert calendar.zone_of(office).key == "Asia/Jakarta"
    assert calendar.office_day_for(office, MONDAY).status is DayStatus.WORKING
    OpeningHoursFactory(local_government=jakarta, office=office, weekday=0, opens_at=time(10))
    # Cached a minute per process; an edit that must show at once drops the cache.
    assert calendar.office_day_for(office, MONDAY).hours.open == time(7, 30)
    calendar.forget_cached_calendars()
    assert calendar.office_day_for(office, MONDAY).hours.open == time(10)
