"""Which monthly partitions of the observations table must exist: pure date arithmetic."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from cameras.domain.partitions import Month, month_of, months_ahead, office_days_around


@pytest.mark.parametrize(
    ("today", "ahead", "expected"),
    [
        (date(2026, 12, 8), 0, ["2026_12"]),
        (date(2026, 12, 8), 3, ["2026_12", "2027_01", "2027_02", "2027_03"]),
        (date(2026, 1, 31), 1, ["2026_01", "2026_02"]),
        (date(2028, 2, 29), 2, ["2028_02", "2028_03", "2028_04"]),
        (date(2026, 11, 1), -1, ["2026_11"]),
    ],
)
def test_the_months_ahead_start_with_todays_and_cross_the_year(today, ahead, expected) -> None:
    assert [month.suffix for month in months_ahead(today, ahead)] == expected


def test_a_month_covers_its_first_day_up_to_the_next_months() -> None:
    december = month_of(date(2026, 12, 31))
    assert december == Month(date(2026, 12, 1))
    assert december.end == date(2027, 1, 1)
    assert month_of(date(2027, 2, 14)).end == date(2027, 3, 1)


@pytest.mark.parametrize(
    ("zone", "local"),
    [
        # 23:30 UTC is 07:30 WITA on the next date; 07:30 WIB is 00:30 UTC the same date.
        ("Asia/Makassar", datetime(2026, 12, 9, 7, 30)),
        ("Asia/Jakarta", datetime(2026, 12, 9, 7, 30)),
        ("Asia/Jayapura", datetime(2026, 12, 9, 0, 30)),
        ("Pacific/Kiritimati", datetime(2026, 12, 9, 23, 30)),
        ("Pacific/Pago_Pago", datetime(2026, 12, 8, 0, 30)),
    ],
)
def test_the_office_days_around_a_slot_range_hold_its_local_dates(zone, local) -> None:
    slot = local.replace(tzinfo=ZoneInfo(zone))
    first, last = office_days_around(slot, slot)
    assert first <= slot.astimezone(ZoneInfo(zone)).date() <= last
    assert (last - first).days == 2


def test_the_office_days_span_the_whole_range() -> None:
    start = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    end = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert office_days_around(start, end) == (date(2026, 11, 29), date(2026, 12, 2))
