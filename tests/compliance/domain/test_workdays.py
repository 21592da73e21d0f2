"""Office calendar rules: holidays, cuti bersama, weekends, Ramadan and flexible work, SLAs."""

from datetime import date, time

import pytest

from compliance.domain.types import (
    PERPRES_2023_HOURS,
    DayHours,
    DayStatus,
    ExcuseSpan,
    HolidayEntry,
    HolidayKind,
    SpecialPeriod,
    SpecialPeriodKind,
    WeeklyHours,
)
from compliance.domain.workdays import (
    add_working_days,
    count_working_days,
    is_working_day,
    resolve_office_day,
)

# A slice of holidays_2026.csv (SKB 3 Menteri, 19 Sep 2025; ASN cuti bersama: Keppres 42/2025).
HOLIDAYS_2026 = (
    HolidayEntry(date(2026, 2, 16), "Cuti bersama Imlek", HolidayKind.CUTI_BERSAMA),
    HolidayEntry(date(2026, 2, 17), "Tahun Baru Imlek", HolidayKind.NATIONAL),
    HolidayEntry(date(2026, 3, 18), "Cuti bersama Nyepi", HolidayKind.CUTI_BERSAMA),
    HolidayEntry(date(2026, 3, 19), "Hari Suci Nyepi", HolidayKind.NATIONAL),
    HolidayEntry(date(2026, 3, 20), "Cuti bersama Idul Fitri", HolidayKind.CUTI_BERSAMA),
    HolidayEntry(date(2026, 3, 21), "Idul Fitri (hari 1)", HolidayKind.NATIONAL),
    HolidayEntry(date(2026, 3, 22), "Idul Fitri (hari 2)", HolidayKind.NATIONAL),
    HolidayEntry(date(2026, 3, 23), "Cuti bersama Idul Fitri", HolidayKind.CUTI_BERSAMA),
    HolidayEntry(date(2026, 3, 24), "Cuti bersama Idul Fitri", HolidayKind.CUTI_BERSAMA),
    HolidayEntry(date(2026, 4, 3), "Wafat Yesus Kristus", HolidayKind.NATIONAL),
    HolidayEntry(date(2026, 6, 1), "Hari Lahir Pancasila", HolidayKind.NATIONAL),
    HolidayEntry(date(2026, 11, 25), "HUT Kota (contoh lokal)", HolidayKind.LOCAL),
)
# special_workdays_2026.csv
PERIODS_2026 = (
    SpecialPeriod(date(2026, 2, 19), date(2026, 3, 20), SpecialPeriodKind.RAMADAN_HOURS),
    SpecialPeriod(date(2026, 3, 16), date(2026, 3, 17), SpecialPeriodKind.FLEXIBLE_WORK),
    SpecialPeriod(date(2026, 3, 25), date(2026, 3, 27), SpecialPeriodKind.FLEXIBLE_WORK),
)
NORMAL_MON_THU = DayHours(time(7, 30), time(16, 0))
NORMAL_FRI = DayHours(time(7, 30), time(16, 30))
RAMADAN_MON_THU = DayHours(time(8, 0), time(15, 0))
RAMADAN_FRI = DayHours(time(8, 0), time(15, 30))


@pytest.mark.parametrize(
    ("day", "status", "hours", "flexible"),
    [
        pytest.param(date(2026, 11, 23), DayStatus.WORKING, NORMAL_MON_THU, False, id="monday"),
        pytest.param(date(2026, 11, 27), DayStatus.WORKING, NORMAL_FRI, False, id="friday"),
        pytest.param(date(2026, 11, 28), DayStatus.NON_WORKING, None, False, id="saturday"),
        pytest.param(date(2026, 11, 29), DayStatus.NON_WORKING, None, False, id="sunday"),
        pytest.param(date(2026, 2, 17), DayStatus.HOLIDAY, None, False, id="national"),
        pytest.param(date(2026, 2, 16), DayStatus.HOLIDAY, None, False, id="cuti-bersama"),
        pytest.param(date(2026, 11, 25), DayStatus.HOLIDAY, None, False, id="local-holiday"),
        pytest.param(date(2026, 3, 21), DayStatus.HOLIDAY, None, False, id="holiday-on-saturday"),
        pytest.param(date(2026, 3, 2), DayStatus.WORKING, RAMADAN_MON_THU, False, id="ramadan"),
        pytest.param(date(2026, 3, 6), DayStatus.WORKING, RAMADAN_FRI, False, id="ramadan-fri"),
        pytest.param(
            date(2026, 3, 16), DayStatus.WORKING, RAMADAN_MON_THU, True, id="ramadan-and-flexible"
        ),
        pytest.param(
            date(2026, 3, 25), DayStatus.WORKING, NORMAL_MON_THU, True, id="flexible-keeps-hours"
        ),
        pytest.param(date(2026, 3, 27), DayStatus.WORKING, NORMAL_FRI, True, id="flexible-fri"),
        pytest.param(date(2026, 2, 18), DayStatus.WORKING, NORMAL_MON_THU, False, id="eve-ramadan"),
    ],
)
def test_office_day_follows_holidays_weekends_and_special_periods(
    day: date, status: DayStatus, hours: DayHours | None, flexible: bool
) -> None:
    office_day = resolve_office_day(day, PERPRES_2023_HOURS, HOLIDAYS_2026, PERIODS_2026)

    assert office_day.status is status
    assert office_day.hours == hours
    assert office_day.flexible_work is flexible


def test_holiday_names_the_entry_and_cuti_bersama_closes_the_office() -> None:
    office_day = resolve_office_day(date(2026, 3, 23), PERPRES_2023_HOURS, HOLIDAYS_2026)

    assert office_day.holiday == HOLIDAYS_2026[7]
    assert office_day.holiday.kind is HolidayKind.CUTI_BERSAMA
    assert not office_day.is_working


@pytest.mark.parametrize(
    ("day", "status"),
    [
        pytest.param(date(2026, 11, 24), DayStatus.EXCUSED, id="working-day-excused"),
        pytest.param(date(2026, 11, 25), DayStatus.HOLIDAY, id="holiday-beats-excuse"),
        pytest.param(date(2026, 11, 28), DayStatus.NON_WORKING, id="weekend-beats-excuse"),
        pytest.param(date(2026, 11, 30), DayStatus.WORKING, id="after-excuse"),
    ],
)
def test_excuse_covers_working_days_only(day: date, status: DayStatus) -> None:
    excuse = ExcuseSpan(date(2026, 11, 24), date(2026, 11, 29), "renovasi kantor")

    office_day = resolve_office_day(day, PERPRES_2023_HOURS, HOLIDAYS_2026, (), [excuse])

    assert office_day.status is status
    assert (office_day.excuse == excuse) is (status is DayStatus.EXCUSED)


def test_ramadan_default_timetable_keeps_office_grace_and_staffing() -> None:
    weekly = WeeklyHours.from_mapping(
        dict.fromkeys(range(5), DayHours(time(7, 30), time(16, 0), grace_minutes=10, min_staff=2))
    )

    office_day = resolve_office_day(date(2026, 3, 2), weekly, (), PERIODS_2026)

    assert office_day.hours == DayHours(time(8, 0), time(15, 0), grace_minutes=10, min_staff=2)
    assert office_day.ramadan


def test_custom_hours_beat_ramadan_and_never_open_a_weekend() -> None:
    custom = SpecialPeriod(
        date(2026, 3, 1),
        date(2026, 3, 31),
        SpecialPeriodKind.CUSTOM_HOURS,
        hours=WeeklyHours.from_mapping(
            {0: DayHours(time(9, 0), time(14, 0)), 5: DayHours(time(9, 0), time(12, 0))}
        ),
    )
    periods = (*PERIODS_2026, custom)

    monday = resolve_office_day(date(2026, 3, 2), PERPRES_2023_HOURS, (), periods)
    tuesday = resolve_office_day(date(2026, 3, 3), PERPRES_2023_HOURS, (), periods)
    saturday = resolve_office_day(date(2026, 3, 7), PERPRES_2023_HOURS, (), periods)

    assert monday.hours == DayHours(time(9, 0), time(14, 0))
    assert tuesday.hours == PERPRES_2023_HOURS.for_date(date(2026, 3, 3))
    assert saturday.status is DayStatus.NON_WORKING


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("ramadan_hours", SpecialPeriodKind.RAMADAN_HOURS),
        ("asn_flexible_work", SpecialPeriodKind.FLEXIBLE_WORK),
        ("kendari_flexible_work", SpecialPeriodKind.FLEXIBLE_WORK),
    ],
)
def test_reference_period_codes_map_to_kinds(code: str, kind: SpecialPeriodKind) -> None:
    assert SpecialPeriodKind.from_code(code) is kind


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(date(2026, 11, 30), 3, date(2026, 12, 3), id="same-week"),
        pytest.param(date(2026, 11, 27), 3, date(2026, 12, 2), id="over-weekend"),
        pytest.param(date(2026, 11, 28), 3, date(2026, 12, 2), id="filed-on-saturday"),
        pytest.param(date(2026, 11, 24), 1, date(2026, 11, 26), id="over-local-holiday"),
        pytest.param(date(2026, 3, 17), 1, date(2026, 3, 25), id="over-lebaran-block"),
        pytest.param(date(2026, 3, 13), 5, date(2026, 3, 27), id="sla-5-over-lebaran"),
        pytest.param(date(2026, 3, 13), 10, date(2026, 4, 6), id="sla-10-over-lebaran-easter"),
        pytest.param(date(2026, 5, 29), 1, date(2026, 6, 2), id="over-pancasila-monday"),
        pytest.param(date(2026, 6, 2), -1, date(2026, 5, 29), id="backwards"),
        pytest.param(date(2026, 3, 21), 0, date(2026, 3, 21), id="zero-is-start"),
    ],
)
def test_working_day_arithmetic_skips_weekends_and_holidays(
    start: date, n: int, expected: date
) -> None:
    assert add_working_days(start, n, HOLIDAYS_2026, PERPRES_2023_HOURS) == expected
    assert count_working_days(start, expected, HOLIDAYS_2026, PERPRES_2023_HOURS) == n


def test_working_day_helpers_agree_and_reject_a_week_without_work() -> None:
    assert is_working_day(date(2026, 3, 25), HOLIDAYS_2026, PERPRES_2023_HOURS)
    assert not is_working_day(date(2026, 3, 24), HOLIDAYS_2026, PERPRES_2023_HOURS)
    with pytest.raises(ValueError, match="no working day"):
        add_working_days(date(2026, 1, 1), 1, (), WeeklyHours.from_mapping({}))


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: DayHours(time(16, 0), time(7, 30)), id="close-before-open"),
        pytest.param(lambda: DayHours(time(7, 30), time(16, 0), min_staff=0), id="no-staff"),
        pytest.param(lambda: WeeklyHours(days=(None,) * 6), id="six-weekdays"),
        pytest.param(
            lambda: ExcuseSpan(date(2026, 1, 2), date(2026, 1, 1), "x"), id="reversed-span"
        ),
    ],
)
def test_invalid_calendar_values_are_rejected(build: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        build()  # type: ignore[operator]
