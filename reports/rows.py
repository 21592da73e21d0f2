"""Plain rows that the report builders format: frozen dataclasses and pure helpers.

Nothing here touches the ORM, settings or the clock. Times are local wall-clock values
(``datetime.time``) in the zone named by ``zone_label``; the selectors convert aware instants
before building these rows, because spreadsheets cannot hold a time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from places.vocabulary import JUDGED, VerdictStatus, zone_label

__all__ = [
    "JUDGED_STATUSES",
    "TOTAL_STATUSES",
    "DailyReportMeta",
    "DailyRow",
    "KecamatanTotals",
    "MonthlyOfficeRow",
    "MonthlyReportMeta",
    "ReportPeriodError",
    "StatusEntry",
    "StatusLegend",
    "count_statuses",
    "on_time_share",
    "parse_report_day",
    "parse_report_month",
    "summarise_by_kecamatan",
    "zone_label",
]

# Status codes: the product vocabulary's (places.vocabulary, pure like this module).
ON_TIME = VerdictStatus.ON_TIME.value
LATE = VerdictStatus.LATE.value
NOT_OPENED = VerdictStatus.NOT_OPENED.value
NO_DATA = VerdictStatus.NO_DATA.value
CLOSED_EARLY = VerdictStatus.CLOSED_EARLY.value
HOLIDAY = VerdictStatus.HOLIDAY.value
NON_WORKING_DAY = VerdictStatus.NON_WORKING_DAY.value
EXCUSED = VerdictStatus.EXCUSED.value

# The denominator of the on-time percentage (see places.vocabulary.JUDGED).
JUDGED_STATUSES: frozenset[str] = frozenset(status.value for status in JUDGED)
# Counted in the totals columns of the monthly recap, in this order.
TOTAL_STATUSES: tuple[str, ...] = (ON_TIME, LATE, NOT_OPENED, CLOSED_EARLY, NO_DATA)


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One verdict status as reports show it: its code, full label and short matrix label."""

    code: str
    label: str
    abbreviation: str


@dataclass(frozen=True)
class StatusLegend:
    """The statuses in report order; the labels come from the (translated) model choices."""

    entries: tuple[StatusEntry, ...]
    missing_label: str = "—"
    _by_code: Mapping[str, StatusEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {e.code: e for e in self.entries})

    def label(self, code: str | None) -> str:
        entry = self._by_code.get(code) if code else None
        return entry.label if entry else self.missing_label

    def abbreviation(self, code: str | None) -> str:
        entry = self._by_code.get(code) if code else None
        return entry.abbreviation if entry else ""


@dataclass(frozen=True, slots=True)
class DailyRow:
    """One office on one day. ``status`` is None when no verdict exists yet."""

    office_code: str
    kecamatan: str
    kelurahan: str
    status: str | None
    scheduled_open: time | None = None
    opened_at: time | None = None
    minutes_late: int | None = None
    coverage: float | None = None
    complaints: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class DailyReportMeta:
    """Header facts of a daily report; ``generated_at`` is a naive local datetime."""

    government: str
    day: date
    kind_label: str
    generated_at: datetime
    zone: str  # e.g. "WITA"


@dataclass(frozen=True, slots=True)
class MonthlyOfficeRow:
    """One office over one month: ``statuses[i]`` is the status on day ``i + 1`` (None: none)."""

    office_code: str
    kecamatan: str
    kelurahan: str
    statuses: tuple[str | None, ...]
    minutes_late_total: int = 0
    complaints: int = 0


@dataclass(frozen=True, slots=True)
class MonthlyReportMeta:
    government: str
    year: int
    month: int
    days: tuple[date, ...]
    generated_at: datetime  # naive local
    zone: str


def count_statuses(statuses: Iterable[str | None]) -> dict[str, int]:
    """How many times each status occurs (missing days are not counted)."""
    counts: dict[str, int] = {}
    for status in statuses:
        if status:
            counts[status] = counts.get(status, 0) + 1
    return counts


def on_time_share(counts: Mapping[str, int]) -> float | None:
    """On-time days over judged days (0..1); None when no day was judged."""
    judged = sum(counts.get(s, 0) for s in JUDGED_STATUSES)
    return counts.get(ON_TIME, 0) / judged if judged else None


@dataclass
class KecamatanTotals:
    """Running totals of one kecamatan (mutable while a month streams past)."""

    name: str
    offices: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    day_counts: list[dict[str, int]] = field(default_factory=list)
    minutes_late_total: int = 0
    complaints: int = 0

    def add(self, row: MonthlyOfficeRow) -> None:
        self.offices += 1
        if not self.day_counts:
            self.day_counts = [{} for _ in row.statuses]
        for index, status in enumerate(row.statuses):
            if status:
                self.counts[status] = self.counts.get(status, 0) + 1
                day = self.day_counts[index]
                day[status] = day.get(status, 0) + 1
        self.minutes_late_total += row.minutes_late_total
        self.complaints += row.complaints

    def day_share(self, index: int) -> float | None:
        return on_time_share(self.day_counts[index]) if self.day_counts else None


def summarise_by_kecamatan(rows: Iterable[MonthlyOfficeRow]) -> list[KecamatanTotals]:
    """Totals per kecamatan in order of first appearance."""
    totals: dict[str, KecamatanTotals] = {}
    for row in rows:
        totals.setdefault(row.kecamatan, KecamatanTotals(row.kecamatan)).add(row)
    return list(totals.values())


@dataclass(frozen=True, slots=True)
class OverdueComplaintRow:
    """An open complaint past its SP4N-LAPOR! deadline, for the daily report (no contact data)."""

    tracking_code: str
    kecamatan: str
    kelurahan: str
    received_on: date
    status_label: str
    missed_deadline: str  # "diteruskan" (forwarded) or "dijawab" (answered)
    due: date
    days_late: int


# No report predates the product; year 1 is a probe, and date arithmetic near it overflows.
FIRST_REPORT_YEAR = 2000


class ReportPeriodError(ValueError):
    """A report asked for a day or month that cannot have one. ``reason`` is ``"impossible"``
    (no such date, e.g. 2026-02-30 or month 13) or ``"future"`` (it has not happened yet)."""

    def __init__(self, reason: str, value: str) -> None:
        super().__init__(f"{reason}: {value}")
        self.reason = reason
        self.value = value


def parse_report_day(value: str, today: date) -> date:
    """``"2026-11-24"`` → that date; a date after `today` (the government's local date) or an
    impossible one raises ReportPeriodError."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ReportPeriodError("impossible", value) from None
    if day.year < FIRST_REPORT_YEAR:
        raise ReportPeriodError("impossible", value)
    if day > today:
        raise ReportPeriodError("future", value)
    return day


def parse_report_month(value: str, today: date) -> tuple[int, int]:
    """``"2026-11"`` → ``(2026, 11)``; a month after `today`'s or an impossible one raises
    ReportPeriodError. The current month is allowed (its recap so far)."""
    try:
        year, month = (int(part) for part in value.split("-"))
        date(year, month, 1)
    except ValueError:
        raise ReportPeriodError("impossible", value) from None
    if year < FIRST_REPORT_YEAR:
        raise ReportPeriodError("impossible", value)
    if (year, month) > (today.year, today.month):
        raise ReportPeriodError("future", value)
    return year, month
