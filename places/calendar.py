"""The calendar read API: the one place that answers "what is office X's day D".

Rows of hours, holidays, special periods and excuses in; the pure values of compliance.domain
(OfficeDay, WeeklyHours, HolidayEntry) out. Every app that needs an office's day, its working
week, its holidays or its zone asks here instead of reading the rows itself.
"""

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import Q

from compliance import domain
from places.models import Excuse, Holiday, Office, OpeningHours, SpecialPeriod


def zone_of(office: Office) -> ZoneInfo:
    """The IANA zone of the office's own government (Indonesia spans WIB, WITA and WIT)."""
    return ZoneInfo(office.kecamatan.local_government.time_zone)


@dataclass(frozen=True)
class Calendars:
    """Everything needed to resolve office days for a set of offices and dates."""

    default_hours: dict[int, dict[int, domain.DayHours]]  # government id -> weekday -> hours
    office_hours: dict[int, dict[int, domain.DayHours]]  # office id -> weekday -> hours
    holidays: dict[int | None, list[domain.HolidayEntry]]  # government id (None: national)
    special_periods: dict[int, list[domain.SpecialPeriod]]  # government id -> periods
    excuses: dict[int, list[domain.ExcuseSpan]]  # office id -> spans

    def weekly_hours(self, office: Office) -> domain.WeeklyHours:
        """The office's normal week: its own rows over its government's defaults."""
        weekly = dict(self.default_hours.get(office.kecamatan.local_government_id, {}))
        weekly.update(self.office_hours.get(office.pk, {}))
        return domain.WeeklyHours.from_mapping(weekly)

    def holidays_of(self, office: Office) -> list[domain.HolidayEntry]:
        """National days off and the office's government's own, in the loaded range."""
        government_id = office.kecamatan.local_government_id
        return [*self.holidays.get(None, []), *self.holidays.get(government_id, [])]

    def office_day(self, office: Office, day: date) -> domain.OfficeDay:
        return self.office_day_of(office.pk, office.kecamatan.local_government_id, day)

    def office_day_of(self, office_id: int, government_id: int, day: date) -> domain.OfficeDay:
        """`office_day` by ids, for callers holding rows rather than Office instances."""
        weekly = dict(self.default_hours.get(government_id, {}))
        weekly.update(self.office_hours.get(office_id, {}))
        return domain.resolve_office_day(
            day,
            domain.WeeklyHours.from_mapping(weekly),
            [*self.holidays.get(None, []), *self.holidays.get(government_id, [])],
            self.special_periods.get(government_id, []),
            self.excuses.get(office_id, []),
        )

    def has_own_days(self, office_id: int) -> bool:
        """True when the office has its own hours or excuses: its days may differ from its
        government's (otherwise every office of a government has the same day)."""
        return office_id in self.office_hours or office_id in self.excuses


def _day_hours(row: OpeningHours) -> domain.DayHours:
    return domain.DayHours(
        open=row.opens_at,
        close=row.closes_at,
        grace_minutes=row.grace_minutes,
        min_staff=row.min_staff,
    )


def load_calendars(offices: Sequence[Office], first: date, last: date) -> Calendars:
    """Hours, holidays, special periods and excuses for `offices` over [first, last].

    Five queries whatever the number of offices. `offices` must come with
    `select_related("kecamatan__local_government")`.
    """
    government_ids = {office.kecamatan.local_government_id for office in offices}
    return _load(government_ids, Q(office_id__in=[office.pk for office in offices]), first, last)


def load_government_calendars(government_ids: Iterable[int], first: date, last: date) -> Calendars:
    """`load_calendars` for every office of these governments, without naming the offices
    (a tick over 100,000 offices): five queries, and the rows read are the governments' hours,
    the days off and the few offices' own hours and excuses, not one row per office."""
    ids = set(government_ids)
    return _load(ids, Q(office__kecamatan__local_government_id__in=ids), first, last)


def _load(government_ids: set[int], own_rows: Q, first: date, last: date) -> Calendars:
    default_hours: dict[int, dict[int, domain.DayHours]] = defaultdict(dict)
    office_hours: dict[int, dict[int, domain.DayHours]] = defaultdict(dict)
    hours_rows = OpeningHours.objects.filter(
        Q(office__isnull=True, local_government_id__in=government_ids) | own_rows
    )
    for row in hours_rows:
        if row.office_id is None:
            default_hours[row.local_government_id][row.weekday] = _day_hours(row)
        else:
            office_hours[row.office_id][row.weekday] = _day_hours(row)

    holidays: dict[int | None, list[domain.HolidayEntry]] = defaultdict(list)
    for holiday in Holiday.objects.filter(date__range=(first, last)).filter(
        Q(local_government__isnull=True) | Q(local_government_id__in=government_ids)
    ):
        holidays[holiday.local_government_id].append(
            domain.HolidayEntry(holiday.date, holiday.name, domain.HolidayKind(holiday.kind))
        )

    periods: dict[int, list[domain.SpecialPeriod]] = defaultdict(list)
    period_rows = SpecialPeriod.objects.filter(
        local_government_id__in=government_ids, date_from__lte=last, date_to__gte=first
    ).prefetch_related("hours")
    for period in period_rows:
        override = None
        if period_hours := list(period.hours.all()):
            override = domain.WeeklyHours.from_mapping(
                {
                    row.weekday: domain.DayHours(open=row.opens_at, close=row.closes_at)
                    for row in period_hours
                }
            )
        periods[period.local_government_id].append(
            domain.SpecialPeriod(
                date_from=period.date_from,
                date_to=period.date_to,
                kind=domain.SpecialPeriodKind(period.kind),
                hours=override,
                name=period.name,
            )
        )

    excuses: dict[int, list[domain.ExcuseSpan]] = defaultdict(list)
    for excuse in Excuse.objects.filter(own_rows, date_from__lte=last, date_to__gte=first):
        excuses[excuse.office_id].append(
            domain.ExcuseSpan(excuse.date_from, excuse.date_to, excuse.reason)
        )
    return Calendars(default_hours, office_hours, holidays, periods, excuses)


# Calendar reads for one office and day outside the tick (pages); cached a minute per process.
_OFFICE_DAY_TTL_S = 60.0
_office_days: dict[tuple[int, date], tuple[float, domain.OfficeDay]] = {}


def office_day_for(office: Office, day: date) -> domain.OfficeDay:
    """The office's resolved local date (hours, holiday, excuse), cached a minute per process."""
    key = (office.pk, day)
    cached = _office_days.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    office_day = load_calendars([office], day, day).office_day(office, day)
    if len(_office_days) > 10_000:
        _office_days.clear()
    _office_days[key] = (time.monotonic() + _OFFICE_DAY_TTL_S, office_day)
    return office_day


def forget_cached_calendars() -> None:
    """Drop the per-process calendar cache (after an edit that must show at once)."""
    _office_days.clear()
