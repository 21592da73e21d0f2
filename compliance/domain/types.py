"""Value types of the compliance domain.

Pure data: frozen dataclasses and enums only. Nothing here reads the clock, settings, the ORM or a
camera. Local times (``datetime.time``) are wall-clock times in the office's zone; instants
(``datetime.datetime``) are always timezone-aware.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

# The daily verdict of one office: the product vocabulary's statuses.
from places.vocabulary import VerdictStatus as VerdictKind

__all__ = [
    "DEFAULT_CHECK_POLICY",
    "PERPRES_2023_HOURS",
    "PERPRES_2023_RAMADAN_HOURS",
    "CheckPolicy",
    "CheckResult",
    "CheckStatus",
    "DayHours",
    "DayStatus",
    "ExcuseSpan",
    "HolidayEntry",
    "HolidayKind",
    "OfficeDay",
    "PlannedSlot",
    "ReasonCode",
    "Sighting",
    "SlotKind",
    "SpecialPeriod",
    "SpecialPeriodKind",
    "Verdict",
    "VerdictKind",
    "VerdictState",
    "WeeklyHours",
]


class HolidayKind(StrEnum):
    """Why a date is a day off. ASN follow cuti bersama (Keppres 42/2025): every kind closes."""

    NATIONAL = "national"
    CUTI_BERSAMA = "cuti_bersama"
    LOCAL = "local"


class SpecialPeriodKind(StrEnum):
    """A period that changes hours or presence without being a holiday."""

    RAMADAN_HOURS = "ramadan_hours"
    FLEXIBLE_WORK = "flexible_work"
    CUSTOM_HOURS = "custom_hours"

    @classmethod
    def from_code(cls, code: str) -> SpecialPeriodKind:
        """Map a reference-data code (e.g. ``asn_flexible_work``) to a kind.

        Raises ``ValueError`` for an unknown code.
        """
        normalised = code.strip().lower()
        if normalised.endswith("flexible_work"):
            return cls.FLEXIBLE_WORK
        return cls(normalised)


class DayStatus(StrEnum):
    """What kind of day an office has on one local date."""

    WORKING = "working"
    HOLIDAY = "holiday"
    NON_WORKING = "non_working"
    EXCUSED = "excused"


class CheckStatus(StrEnum):
    """Outcome of one camera check. ``no_data`` covers camera/link down and frame faults."""

    OK = "ok"
    NO_DATA = "no_data"


class SlotKind(StrEnum):
    """Why a check slot exists. Listed in de-duplication priority (first wins)."""

    OPENING = "opening"
    CLOSING = "closing"
    DAYTIME = "daytime"
    AFTER_HOURS = "after_hours"
    NIGHT = "night"


class VerdictState(StrEnum):
    """How settled a verdict is.

    ``awaiting``: nothing can be judged yet (before the deadline, or an opening run still needs
    confirmation); ``Verdict.kind`` is ``None``. ``provisional``: best judgement so far, may still
    change (e.g. ``on_time`` can become ``closed_early``). ``final``: the service day is over.
    """

    AWAITING = "awaiting"
    PROVISIONAL = "provisional"
    FINAL = "final"


class ReasonCode(StrEnum):
    """Machine-readable reason behind a verdict; the UI translates it."""

    OPENED_WITHIN_GRACE = "opened_within_grace"
    OPENED_AFTER_GRACE = "opened_after_grace"
    NOT_SEEN_OPEN = "not_seen_open"
    LOW_COVERAGE = "opening_window_low_coverage"
    DEADLINE_UNOBSERVED = "deadline_unobserved"
    CLOSED_BEFORE_CLOSING_TIME = "closed_before_closing_time"
    HOLIDAY = "holiday"
    NON_WORKING_DAY = "non_working_day"
    EXCUSED = "excused"
    AWAITING_DEADLINE = "awaiting_deadline"
    AWAITING_CONFIRMATION = "awaiting_confirmation"


@dataclass(frozen=True, slots=True)
class DayHours:
    """Office hours of one day, local wall-clock time. ``close`` must be after ``open`` (same date).

    ``grace_minutes``: minutes after ``open`` still counted as on time (inclusive to the minute).
    ``min_staff``: people in the staff zone needed to count the office as open.
    """

    open: time
    close: time
    grace_minutes: int = 15
    min_staff: int = 1

    def __post_init__(self) -> None:
        if self.open.tzinfo is not None or self.close.tzinfo is not None:
            raise ValueError("DayHours takes naive local wall-clock times")
        if self.close <= self.open:
            raise ValueError("DayHours.close must be after DayHours.open on the same date")
        if self.grace_minutes < 0:
            raise ValueError("grace_minutes must be >= 0")
        if self.min_staff < 1:
            raise ValueError("min_staff must be >= 1")


_WEEKDAYS = 7


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Hours per weekday, Monday first (``date.weekday()`` index); ``None`` = non-working day."""

    days: tuple[DayHours | None, ...]

    def __post_init__(self) -> None:
        if len(self.days) != _WEEKDAYS:
            raise ValueError("WeeklyHours.days needs exactly 7 entries, Monday first")

    @classmethod
    def from_mapping(cls, hours: Mapping[int, DayHours | None]) -> WeeklyHours:
        """Build from ``{weekday: DayHours}``, weekday 0 = Monday; a missing weekday = no work."""
        if any(not 0 <= weekday < _WEEKDAYS for weekday in hours):
            raise ValueError("weekday keys must be 0 (Monday) to 6 (Sunday)")
        return cls(days=tuple(hours.get(weekday) for weekday in range(_WEEKDAYS)))

    def for_date(self, day: date) -> DayHours | None:
        """Hours of ``day``'s weekday, or ``None`` when that weekday is not a working day."""
        return self.days[day.weekday()]


def _weekdays(mon_thu: DayHours, fri: DayHours) -> WeeklyHours:
    return WeeklyHours.from_mapping({0: mon_thu, 1: mon_thu, 2: mon_thu, 3: mon_thu, 4: fri})


PERPRES_2023_HOURS = _weekdays(
    DayHours(time(7, 30), time(16, 0)), DayHours(time(7, 30), time(16, 30))
)
"""Usual regional timetable under Perpres 21/2023: Mon-Thu 07:30-16:00, Fri 07:30-16:30."""

PERPRES_2023_RAMADAN_HOURS = _weekdays(
    DayHours(time(8, 0), time(15, 0)), DayHours(time(8, 0), time(15, 30))
)
"""Ramadan timetable (Perpres 21/2023 Pasal 4(2),(4)): Mon-Thu 08:00-15:00, Fri 08:00-15:30."""


@dataclass(frozen=True, slots=True)
class SpecialPeriod:
    """A date range (inclusive, local dates) with changed hours or presence.

    ``hours``: per-weekday override. For ``ramadan_hours`` ``None`` means the Perpres Ramadan
    timetable (keeping the office's own grace and min_staff). An override never turns a non-working
    weekday into a working one, and a ``None`` entry in it leaves that weekday's normal hours.
    """

    date_from: date
    date_to: date
    kind: SpecialPeriodKind
    hours: WeeklyHours | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.date_to < self.date_from:
            raise ValueError("SpecialPeriod.date_to is before date_from")

    def covers(self, day: date) -> bool:
        """Whether ``day`` lies in the period (both ends inclusive)."""
        return self.date_from <= day <= self.date_to


@dataclass(frozen=True, slots=True)
class HolidayEntry:
    """One day off: national holiday, cuti bersama or a local (city) holiday."""

    date: date
    name: str
    kind: HolidayKind = HolidayKind.NATIONAL


@dataclass(frozen=True, slots=True)
class ExcuseSpan:
    """An approved reason an office need not be judged, ``date_from``..``date_to`` inclusive."""

    date_from: date
    date_to: date
    reason: str

    def __post_init__(self) -> None:
        if self.date_to < self.date_from:
            raise ValueError("ExcuseSpan.date_to is before date_from")

    def covers(self, day: date) -> bool:
        """Whether ``day`` lies in the span (both ends inclusive)."""
        return self.date_from <= day <= self.date_to


@dataclass(frozen=True, slots=True)
class OfficeDay:
    """One office's resolved local date: its status and, on working days, the effective hours."""

    date: date
    status: DayStatus
    hours: DayHours | None = None
    flexible_work: bool = False
    ramadan: bool = False
    holiday: HolidayEntry | None = None
    excuse: ExcuseSpan | None = None

    def __post_init__(self) -> None:
        if (self.status is DayStatus.WORKING) != (self.hours is not None):
            raise ValueError("OfficeDay.hours is required on, and only on, working days")

    @property
    def is_working(self) -> bool:
        """True when the office is expected to open on this date."""
        return self.status is DayStatus.WORKING

    @property
    def min_staff(self) -> int:
        """People a check must see for the office to count as open (1 on days off)."""
        return self.hours.min_staff if self.hours is not None else 1


_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class CheckPolicy:
    """When to look at the camera and how to read the results (configurable per office).

    Window bounds are inclusive; slots of each window lie on a grid starting at the window start.
    Daytime slots lie on a grid from the opening time; after-hours and night slots on a grid from
    local midnight. On closed days (holiday, weekend, excused) only security slots are planned.

    * opening: ``open - opening_lead`` .. ``open + opening_tail``, every ``opening_interval``
    * daytime: every ``daytime_interval`` between the opening and closing windows
    * closing: ``close - closing_lead`` .. ``close + closing_tail``, every ``closing_interval``
    * ``after_hours_checks``: after the closing window until ``after_hours_until`` (on closed days
      from ``closed_day_from``); ``night_checks``: the rest of the local date, every
      ``night_interval``
    * ``open_checks_needed`` (K): consecutive observed open checks that make an opening;
      ``max_skipped_slots_in_run``: unobserved planned slots a run may span
    * ``coverage_threshold``: share of opening-window slots with a usable frame needed to judge
    * ``closed_early_min_checks``: closed checks in ``[close - closing_lead, close)`` needed
    * ``camera_down_alert_after``: outage length that raises a camera-down alert
    * ``phase``: every grid starts this much later (modulo its step; whole seconds, default 0),
      so thousands of offices with the same hours are not all checked on the same second (see
      :func:`compliance.domain.spread.office_phase`). Slots stay inside their windows.
    """

    opening_lead: timedelta = timedelta(minutes=30)
    opening_tail: timedelta = timedelta(hours=3)
    opening_interval: timedelta = timedelta(minutes=5)
    daytime_interval: timedelta = timedelta(minutes=60)
    closing_lead: timedelta = timedelta(minutes=30)
    closing_tail: timedelta = timedelta(minutes=30)
    closing_interval: timedelta = timedelta(minutes=10)
    after_hours_checks: bool = False
    after_hours_interval: timedelta = timedelta(minutes=60)
    after_hours_until: time = time(22, 0)
    closed_day_from: time = time(6, 0)
    night_checks: bool = False
    night_interval: timedelta = timedelta(hours=2)
    open_checks_needed: int = 2
    max_skipped_slots_in_run: int = 2
    coverage_threshold: float = 0.60
    closed_early_min_checks: int = 2
    camera_down_alert_after: timedelta = timedelta(minutes=30)
    phase: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        intervals = (
            self.opening_interval,
            self.daytime_interval,
            self.closing_interval,
            self.after_hours_interval,
            self.night_interval,
        )
        if any(i < _MINUTE or i % _MINUTE for i in intervals):
            raise ValueError("check intervals must be whole minutes, at least one minute")
        spans = (self.opening_lead, self.opening_tail, self.closing_lead, self.closing_tail)
        if any(s < timedelta(0) or s % _MINUTE for s in spans):
            raise ValueError("window leads and tails must be whole, non-negative minutes")
        if self.phase < timedelta(0) or self.phase >= timedelta(days=1) or self.phase % _SECOND:
            raise ValueError("the phase must be whole seconds within [0, 1 day)")
        if self.open_checks_needed < 1 or self.closed_early_min_checks < 1:
            raise ValueError("check counts must be >= 1")
        if self.max_skipped_slots_in_run < 0:
            raise ValueError("max_skipped_slots_in_run must be >= 0")
        if not 0.0 <= self.coverage_threshold <= 1.0:
            raise ValueError("coverage_threshold must be within [0, 1]")


DEFAULT_CHECK_POLICY = CheckPolicy()


@dataclass(frozen=True, slots=True)
class PlannedSlot:
    """One planned camera check. ``at`` is an aware UTC instant.

    ``window``: how long after ``at`` the check may still run; at ``at + window`` (exclusive) it
    expires instead of running late. Windows of one day's slots never overlap.
    """

    at: datetime
    kind: SlotKind
    window: timedelta

    @property
    def expires_at(self) -> datetime:
        """First instant at which the slot may no longer run (use as the Celery ``expires``)."""
        return self.at + self.window


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Result of one camera check for the slot ``slot`` (aware instant, any zone).

    ``people``: persons counted in the staff zone (0 when ``status`` is ``no_data``).
    Openness is derived, not stored: see :meth:`is_open`.
    """

    slot: datetime
    status: CheckStatus
    people: int = 0
    observation_id: int | None = None

    def __post_init__(self) -> None:
        if self.slot.tzinfo is None or self.slot.utcoffset() is None:
            raise ValueError("CheckResult.slot must be timezone-aware")
        if self.people < 0:
            raise ValueError("CheckResult.people must be >= 0")

    @property
    def is_ok(self) -> bool:
        """True when the camera delivered a usable frame."""
        return self.status is CheckStatus.OK

    def is_open(self, min_staff: int) -> bool:
        """True when the frame was usable and at least ``min_staff`` people were present."""
        return self.status is CheckStatus.OK and self.people >= min_staff


Sighting = CheckResult
"""Alias used in the architecture notes."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The judgement of one office on one local date. Instants are aware UTC datetimes.

    ``kind`` is ``None`` exactly when ``state`` is ``awaiting``. ``minutes_late`` is 0 for
    ``on_time``/``closed_early``, whole minutes after the scheduled opening for ``late``, else None.
    ``coverage``: share of planned opening-window slots with an ``ok`` check (elapsed slots only
    while provisional). ``staffed_share``: share of ``ok`` checks in [open, close) showing the
    office open, ``None`` without such checks. ``closed_early_at`` is set whenever the office was
    seen closed before closing time after opening, also on ``late`` days.
    """

    kind: VerdictKind | None
    state: VerdictState
    reason: ReasonCode
    opened_at: datetime | None = None
    minutes_late: int | None = None
    coverage: float = 0.0
    evidence_observation_ids: tuple[int, ...] = ()
    first_arrival: datetime | None = None
    staffed_share: float | None = None
    closed_early_at: datetime | None = None
    deadline: datetime | None = None
    flexible_work: bool = False

    @property
    def is_final(self) -> bool:
        """True once the verdict can no longer change."""
        return self.state is VerdictState.FINAL
