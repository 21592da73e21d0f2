"""Pure aggregation for the dashboard: on-time rates, rankings, daily trend and calendars.

No Django, no clock: counts and dates arrive as arguments. A *judged* day is one on which the
office was expected to open and the cameras could tell: on time, late, not opened or closed
early. ``no_data``, holidays, non-working days and excused days are left out of every rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from places.vocabulary import JUDGED, VERDICT_ORDER, VerdictStatus

JUDGED_STATUSES = tuple(status.value for status in VERDICT_ORDER if status in JUDGED)
ON_TIME_STATUSES = (VerdictStatus.ON_TIME.value,)


@dataclass(frozen=True, slots=True)
class StatusCounts:
    """Verdict counts of one office, kecamatan or day (effective statuses: overrides win)."""

    on_time: int = 0
    late: int = 0
    not_opened: int = 0
    closed_early: int = 0
    no_data: int = 0
    holiday: int = 0
    non_working_day: int = 0
    excused: int = 0

    @classmethod
    def from_mapping(cls, counts: Mapping[str, int]) -> StatusCounts:
        """Counts keyed by status value; unknown keys are ignored, missing ones are zero."""
        return cls(**{name: int(counts.get(name) or 0) for name in cls.__slots__})

    @property
    def judged(self) -> int:
        return self.on_time + self.late + self.not_opened + self.closed_early

    @property
    def on_time_rate(self) -> float | None:
        """Share (0..1) of judged days that were on time; ``None`` without a judged day."""
        if self.judged == 0:
            return None
        return self.on_time / self.judged


@dataclass(frozen=True, slots=True)
class RateRow:
    """Something to rank (an office or a kecamatan) with its counts over the period."""

    key: str
    name: str
    counts: StatusCounts
    group: str = ""
    average_minutes_late: float | None = None


@dataclass(frozen=True, slots=True)
class RankedRow:
    rank: int | None  # None: no judged day, listed last without a rank
    row: RateRow

    @property
    def rate(self) -> float | None:
        return self.row.counts.on_time_rate

    @property
    def percent(self) -> int | None:
        rate = self.rate
        return None if rate is None else round(rate * 100)


def rank_by_on_time_rate(rows: Iterable[RateRow]) -> list[RankedRow]:
    """Best first: higher on-time rate, then more judged days, then name.

    Equal rates share a rank (competition ranking: 1, 2, 2, 4). Rows without a judged day come
    last with ``rank=None``.
    """
    rated = [row for row in rows if row.counts.on_time_rate is not None]
    unrated = [row for row in rows if row.counts.on_time_rate is None]
    rated.sort(key=lambda row: (-(row.counts.on_time_rate or 0.0), -row.counts.judged, row.name))
    unrated.sort(key=lambda row: row.name)
    ranked: list[RankedRow] = []
    previous_rate: float | None = None
    previous_rank = 0
    for position, row in enumerate(rated, start=1):
        rate = row.counts.on_time_rate
        rank = previous_rank if rate == previous_rate else position
        ranked.append(RankedRow(rank=rank, row=row))
        previous_rate, previous_rank = rate, rank
    ranked.extend(RankedRow(rank=None, row=row) for row in unrated)
    return ranked


@dataclass(frozen=True, slots=True)
class DayRate:
    day: date
    counts: StatusCounts

    @property
    def rate(self) -> float | None:
        return self.counts.on_time_rate

    @property
    def percent(self) -> int | None:
        rate = self.rate
        return None if rate is None else round(rate * 100)


def daily_rates(
    first: date, last: date, counts_by_day: Mapping[date, StatusCounts]
) -> list[DayRate]:
    """One entry per date in [first, last]; dates without verdicts get empty counts."""
    days = []
    day = first
    while day <= last:
        days.append(DayRate(day=day, counts=counts_by_day.get(day, StatusCounts())))
        day += timedelta(days=1)
    return days


@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float
    y: float
    day: date
    percent: int


@dataclass(frozen=True, slots=True)
class ChartTick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class TrendChart:
    """Geometry of an SVG line chart (viewBox units); the template only draws it."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    segments: tuple[str, ...]  # "x,y x,y ..." for each unbroken run of days with a rate
    points: tuple[ChartPoint, ...]
    y_ticks: tuple[ChartTick, ...]
    x_ticks: tuple[ChartTick, ...]
    average_percent: int | None


def plot_trend(
    days: Sequence[DayRate],
    *,
    width: int = 640,
    height: int = 220,
    month_labels: Sequence[str] = (),
) -> TrendChart:
    """Lay out the daily on-time rate (0-100 %) as a line broken on days without a rate.

    ``month_labels`` (12 names, January first) label the first day of each month on the x axis.
    """
    left, right, top, bottom = 36, 14, 10, 24
    plot_width, plot_height = width - left - right, height - top - bottom
    count = max(len(days) - 1, 1)
    segments: list[str] = []
    run: list[str] = []
    points: list[ChartPoint] = []
    x_ticks: list[ChartTick] = []
    judged = on_time = 0
    for index, day_rate in enumerate(days):
        x = round(left + plot_width * index / count, 1)
        if day_rate.day.day == 1 and month_labels:
            x_ticks.append(ChartTick(x, month_labels[day_rate.day.month - 1]))
        rate = day_rate.rate
        if rate is None:
            if run:
                segments.append(" ".join(run))
                run = []
            continue
        judged += day_rate.counts.judged
        on_time += day_rate.counts.on_time
        y = round(top + plot_height * (1 - rate), 1)
        run.append(f"{x},{y}")
        points.append(ChartPoint(x=x, y=y, day=day_rate.day, percent=round(rate * 100)))
    if run:
        segments.append(" ".join(run))
    y_ticks = tuple(
        ChartTick(round(top + plot_height * (1 - value / 100), 1), f"{value}%")
        for value in (0, 25, 50, 75, 100)
    )
    return TrendChart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_width,
        plot_height=plot_height,
        segments=tuple(segments),
        points=tuple(points),
        y_ticks=y_ticks,
        x_ticks=tuple(x_ticks),
        average_percent=round(100 * on_time / judged) if judged else None,
    )


@dataclass(frozen=True, slots=True)
class CalendarCell:
    day: date
    status: str  # "" when there is no verdict (or the date is outside the range)
    in_range: bool


def calendar_weeks(
    first: date, last: date, status_by_day: Mapping[date, str]
) -> list[list[CalendarCell]]:
    """Weeks (Monday first) covering [first, last], each a list of seven cells."""
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    weeks: list[list[CalendarCell]] = []
    day = start
    while day <= end:
        week = []
        for _ in range(7):
            in_range = first <= day <= last
            week.append(
                CalendarCell(
                    day=day,
                    status=status_by_day.get(day, "") if in_range else "",
                    in_range=in_range,
                )
            )
            day += timedelta(days=1)
        weeks.append(week)
    return weeks
