"""Office calendar: which local dates are working days, and with which hours.

Pure functions over local dates (the office's zone is implied by the caller). Holidays of every
kind (national, cuti bersama, local) close the office: ASN follow cuti bersama (Keppres 42/2025).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from compliance.domain.types import (
    PERPRES_2023_RAMADAN_HOURS,
    DayHours,
    DayStatus,
    ExcuseSpan,
    HolidayEntry,
    OfficeDay,
    SpecialPeriod,
    SpecialPeriodKind,
    WeeklyHours,
)

__all__ = ["add_working_days", "count_working_days", "is_working_day", "resolve_office_day"]

# When periods with hours overlap, custom hours (a Wali Kota decision) beat Ramadan hours.
_HOURS_PRIORITY = {SpecialPeriodKind.CUSTOM_HOURS: 0, SpecialPeriodKind.RAMADAN_HOURS: 1}


def resolve_office_day(
    day: date,
    weekly_hours: WeeklyHours,
    holidays: Iterable[HolidayEntry],
    special_periods: Iterable[SpecialPeriod] = (),
    excuses: Iterable[ExcuseSpan] = (),
) -> OfficeDay:
    """Decide what ``day`` (a local date) is for one office.

    Precedence: holiday > non-working weekday > excused > working. A holiday on a weekend is
    reported as a holiday. On working days the effective hours are the weekly hours, overridden by
    the covering hours period (custom beats Ramadan; among equals the latest ``date_from`` wins).
    Flexible-work periods keep the hours and only set ``flexible_work``. Deterministic; input order
    does not matter except between identical-priority duplicates.
    """
    holiday = _first_holiday_on(day, holidays)
    if holiday is not None:
        return OfficeDay(date=day, status=DayStatus.HOLIDAY, holiday=holiday)
    normal = weekly_hours.for_date(day)
    if normal is None:
        return OfficeDay(date=day, status=DayStatus.NON_WORKING)
    covering_excuses = [e for e in excuses if e.covers(day)]
    if covering_excuses:
        excuse = min(covering_excuses, key=lambda e: (e.date_from, e.date_to, e.reason))
        return OfficeDay(date=day, status=DayStatus.EXCUSED, excuse=excuse)

    covering = [p for p in special_periods if p.covers(day)]
    flexible = any(p.kind is SpecialPeriodKind.FLEXIBLE_WORK for p in covering)
    ramadan = any(p.kind is SpecialPeriodKind.RAMADAN_HOURS for p in covering)
    hour_periods = [p for p in covering if p.kind in _HOURS_PRIORITY]
    hours = normal
    if hour_periods:
        chosen = min(
            hour_periods,
            key=lambda p: (_HOURS_PRIORITY[p.kind], -p.date_from.toordinal(), p.date_to),
        )
        hours = _override(normal, chosen, day)
    return OfficeDay(
        date=day,
        status=DayStatus.WORKING,
        hours=hours,
        flexible_work=flexible,
        ramadan=ramadan,
    )


def _first_holiday_on(day: date, holidays: Iterable[HolidayEntry]) -> HolidayEntry | None:
    matches = [h for h in holidays if h.date == day]
    return min(matches, key=lambda h: (h.kind, h.name)) if matches else None


def _override(normal: DayHours, period: SpecialPeriod, day: date) -> DayHours:
    if period.hours is None:
        if period.kind is not SpecialPeriodKind.RAMADAN_HOURS:
            return normal
        ramadan = PERPRES_2023_RAMADAN_HOURS.for_date(day)
        if ramadan is None:
            return normal
        # The built-in timetable only moves the clock; the office keeps its grace and staffing.
        return replace(normal, open=ramadan.open, close=ramadan.close)
    override = period.hours.for_date(day)
    return normal if override is None else override


def is_working_day(day: date, holidays: Iterable[HolidayEntry], weekly_hours: WeeklyHours) -> bool:
    """True when ``day`` has hours in ``weekly_hours`` and is not a holiday (excuses ignored)."""
    holiday_dates = _holiday_dates(holidays)
    return weekly_hours.for_date(day) is not None and day not in holiday_dates


def add_working_days(
    start_date: date,
    n: int,
    holidays: Iterable[HolidayEntry],
    weekly_hours: WeeklyHours,
) -> date:
    """Return the date ``n`` working days after ``start_date`` (``start_date`` itself not counted).

    Used for SLAs ("answer within 5 working days"): a complaint filed on Friday with ``n=3`` is due
    on Wednesday if Monday-Wednesday are working days. ``n == 0`` returns ``start_date`` unchanged;
    negative ``n`` counts backwards. Raises ``ValueError`` when the week has no working day.
    """
    if n == 0:
        return start_date
    if all(d is None for d in weekly_hours.days):
        raise ValueError("weekly_hours has no working day")
    holiday_dates = _holiday_dates(holidays)
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    current = start_date
    while remaining:
        current += step
        if weekly_hours.for_date(current) is not None and current not in holiday_dates:
            remaining -= 1
    return current


def count_working_days(
    date_from: date,
    date_to: date,
    holidays: Iterable[HolidayEntry],
    weekly_hours: WeeklyHours,
) -> int:
    """Number of working days in ``(date_from, date_to]``; negative when ``date_to < date_from``.

    Inverse of :func:`add_working_days` on working dates: counting from ``d`` to
    ``add_working_days(d, n, ...)`` gives ``n``.
    """
    if date_to < date_from:
        return -count_working_days(date_to, date_from, holidays, weekly_hours)
    holiday_dates = _holiday_dates(holidays)
    total = 0
    current = date_from
    while current < date_to:
        current += timedelta(days=1)
        if weekly_hours.for_date(current) is not None and current not in holiday_dates:
            total += 1
    return total


def _holiday_dates(holidays: Iterable[HolidayEntry]) -> frozenset[date]:
    return frozenset(h.date for h in holidays)
