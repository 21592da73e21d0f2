"""Check-slot planning: turn an office day and a policy into camera-check slots.

Pure and deterministic. Local wall-clock times are turned into instants through the ``zone`` given
by the caller (never a hard-coded offset), and every returned instant is an aware UTC datetime.

Speed: a day's slots are first laid out as a wall-clock template (seconds after local midnight),
cached per (opening, closing, policy); grace and staffing do not affect plans. A full plan is
cached per (date, opening, closing, policy, zone). :func:`plan_due_slots` skips full plans and
materialises only the due slots, so a one-minute tick over many offices costs O(log slots + due)
per office once the templates are warm. Caches are bounded LRU caches of immutable values.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from operator import attrgetter
from typing import TypeVar
from zoneinfo import ZoneInfo

from compliance.domain.types import CheckPolicy, DayHours, OfficeDay, PlannedSlot, SlotKind

__all__ = [
    "due_slots",
    "local_dates_for_tick",
    "plan_check_slots",
    "plan_due_slots",
    "select_due_slots",
]

K = TypeVar("K")

_DAY_SECONDS = 24 * 3600
_AT = attrgetter("at")
_PRIORITY = tuple(SlotKind)  # OPENING, CLOSING, DAYTIME, AFTER_HOURS, NIGHT


def plan_check_slots(
    office_day: OfficeDay, policy: CheckPolicy, zone: ZoneInfo
) -> tuple[PlannedSlot, ...]:
    """Plan the check slots of one office on its local date ``office_day.date`` in ``zone``.

    Working days get opening, daytime and closing slots (plus security slots if the policy asks);
    holidays, non-working and excused days get only the optional after-hours and night slots.
    Slots are sorted by ``at`` (aware UTC), de-duplicated (opening > closing > daytime >
    after_hours > night when two fall on the same instant) and all lie within the local date.
    Each slot's ``window`` is its kind's interval, cut so it never reaches the next slot or the
    end of the local date. Idempotent: equal inputs give the identical tuple.
    """
    return _plan(office_day.date, _bounds(office_day.hours), policy, zone)


@dataclass(frozen=True, slots=True)
class _Template:
    """A day's slots as local wall-clock seconds after midnight, windows in seconds."""

    seconds: tuple[int, ...]
    kinds: tuple[SlotKind, ...]
    windows: tuple[int, ...]


@lru_cache(maxsize=16384)
def _template(bounds: tuple[time, time] | None, policy: CheckPolicy) -> _Template:
    segments = (
        _working_segments(*bounds, policy) if bounds is not None else _closed_segments(policy)
    )
    segments = sorted((seg for seg in segments if seg[1]), key=lambda seg: seg[1][0])
    if all(a[1][-1] < b[1][0] for a, b in pairwise(segments)):
        return _template_of_disjoint(segments, _intervals(policy))
    return _template_of_overlapping(segments, _intervals(policy))


def _template_of_disjoint(
    segments: Sequence[tuple[SlotKind, range]], intervals: Mapping[SlotKind, int]
) -> _Template:
    """Fast path (the usual case): windows in time order, built with list arithmetic."""
    seconds: list[int] = []
    kinds: list[SlotKind] = []
    windows: list[int] = []
    starts = [grid[0] for _, grid in segments[1:]] + [_DAY_SECONDS] if segments else []
    for (kind, grid), next_start in zip(segments, starts, strict=True):
        interval = intervals[kind]
        seconds.extend(grid)
        kinds.extend([kind] * len(grid))
        windows.extend([min(interval, grid.step)] * (len(grid) - 1))
        windows.append(min(interval, next_start - grid[-1]))
    return _Template(seconds=tuple(seconds), kinds=tuple(kinds), windows=tuple(windows))


def _template_of_overlapping(
    segments: Sequence[tuple[SlotKind, range]], intervals: Mapping[SlotKind, int]
) -> _Template:
    """General path: one slot per second, the higher-priority kind wins (see ``SlotKind``)."""
    merged: dict[int, SlotKind] = {}
    for kind in _PRIORITY:
        for seg_kind, grid in segments:
            if seg_kind is kind:
                for second in grid:
                    merged.setdefault(second, kind)
    seconds = sorted(merged)
    kinds = [merged[second] for second in seconds]
    limits = [*seconds[1:], _DAY_SECONDS] if seconds else []
    windows = [
        min(intervals[kind], limit - second)
        for second, kind, limit in zip(seconds, kinds, limits, strict=True)
    ]
    return _Template(seconds=tuple(seconds), kinds=tuple(kinds), windows=tuple(windows))


@lru_cache(maxsize=4096)
def _intervals(policy: CheckPolicy) -> dict[SlotKind, int]:
    return {
        SlotKind.OPENING: _step(policy.opening_interval),
        SlotKind.CLOSING: _step(policy.closing_interval),
        SlotKind.DAYTIME: _step(policy.daytime_interval),
        SlotKind.AFTER_HOURS: _step(policy.after_hours_interval),
        SlotKind.NIGHT: _step(policy.night_interval),
    }


@lru_cache(maxsize=4096)
def _day_frame(day: date, zone: ZoneInfo) -> tuple[datetime, bool]:
    """Local midnight of ``day`` in UTC, and whether the whole date has one UTC offset."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    midnight = start.astimezone(UTC)
    fixed = start.utcoffset() == end.utcoffset() and end.astimezone(UTC) - midnight == timedelta(
        days=1
    )
    return midnight, fixed


@lru_cache(maxsize=1024)
def _plan(
    day: date, bounds: tuple[time, time] | None, policy: CheckPolicy, zone: ZoneInfo
) -> tuple[PlannedSlot, ...]:
    template = _template(bounds, policy)
    midnight, fixed = _day_frame(day, zone)
    if fixed:
        return tuple(
            PlannedSlot(
                at=midnight + timedelta(seconds=second), kind=kind, window=timedelta(seconds=w)
            )
            for second, kind, w in zip(
                template.seconds, template.kinds, template.windows, strict=True
            )
        )
    return _plan_across_offset_change(day, template, zone)


def _plan_across_offset_change(
    day: date, template: _Template, zone: ZoneInfo
) -> tuple[PlannedSlot, ...]:
    """Slow path for a date with a DST change (not in Indonesia): convert slot by slot."""
    local_midnight = datetime.combine(day, time(0), tzinfo=zone)
    end_of_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    instants: dict[datetime, tuple[SlotKind, int]] = {}
    for second, kind, window in zip(
        template.seconds, template.kinds, template.windows, strict=True
    ):
        # Aware + timedelta is wall-clock arithmetic in ``zone``; convert to UTC only afterwards.
        at = (local_midnight + timedelta(seconds=second)).astimezone(UTC)
        instants.setdefault(at, (kind, window))
    ordered = sorted(instants)
    slots: list[PlannedSlot] = []
    for index, at in enumerate(ordered):
        kind, window = instants[at]
        limit = ordered[index + 1] if index + 1 < len(ordered) else end_of_day
        slots.append(
            PlannedSlot(at=at, kind=kind, window=min(timedelta(seconds=window), limit - at))
        )
    return tuple(slots)


def _seconds(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _step(interval: timedelta) -> int:
    return int(interval.total_seconds())


def _grid(start: int, stop: int, step: int, phase: int = 0) -> range:
    """Seconds ``start, start+step, ...`` up to ``stop`` inclusive, clipped to the local date,
    the grid moved ``phase % step`` seconds later."""
    return range(max(start, 0) + phase % step, min(stop, _DAY_SECONDS - 1) + 1, step)


def _aligned(step: int, low_exclusive: int, high_inclusive: int, phase: int = 0) -> range:
    """``phase % step`` after the multiples of ``step`` after local midnight, in
    ``(low_exclusive, high_inclusive]``."""
    shift = phase % step
    first = ((low_exclusive - shift) // step + 1) * step + shift
    return range(max(first, shift), min(high_inclusive, _DAY_SECONDS - 1) + 1, step)


def _bounds(hours: DayHours | None) -> tuple[time, time] | None:
    # Plans depend on opening and closing only; grace and staffing must not split the caches.
    return None if hours is None else (hours.open, hours.close)


def _working_segments(
    opens: time, closes: time, policy: CheckPolicy
) -> list[tuple[SlotKind, range]]:
    open_s, close_s = _seconds(opens), _seconds(closes)
    opening_start = max(0, open_s - _step(policy.opening_lead))
    opening_end = open_s + _step(policy.opening_tail)
    closing_start = close_s - _step(policy.closing_lead)
    closing_end = min(_DAY_SECONDS - 1, close_s + _step(policy.closing_tail))
    daytime_step = _step(policy.daytime_interval)
    phase = _step(policy.phase)
    # Daytime slots: open + k * step (k >= 1) after the opening window, before the closing one.
    first_daytime = open_s + daytime_step * max(1, (opening_end - open_s) // daytime_step + 1)
    first_daytime += phase % daytime_step
    opening_step, closing_step = _step(policy.opening_interval), _step(policy.closing_interval)
    segments = [
        (SlotKind.OPENING, _grid(opening_start, opening_end, opening_step, phase)),
        (SlotKind.CLOSING, _grid(closing_start, closing_end, closing_step, phase)),
        (SlotKind.DAYTIME, range(first_daytime, max(first_daytime, closing_start), daytime_step)),
    ]
    until = _seconds(policy.after_hours_until)
    if policy.after_hours_checks:
        step = _step(policy.after_hours_interval)
        segments.append((SlotKind.AFTER_HOURS, _aligned(step, closing_end, until, phase)))
    if policy.night_checks:
        segments.extend(_night(policy, day_start=opening_start, day_end=until))
    return segments


def _closed_segments(policy: CheckPolicy) -> list[tuple[SlotKind, range]]:
    segments: list[tuple[SlotKind, range]] = []
    day_start = _seconds(policy.closed_day_from)
    until = _seconds(policy.after_hours_until)
    if policy.after_hours_checks:
        step = _step(policy.after_hours_interval)
        phase = _step(policy.phase)
        segments.append((SlotKind.AFTER_HOURS, _aligned(step, day_start - 1, until, phase)))
    if policy.night_checks:
        segments.extend(_night(policy, day_start=day_start, day_end=until))
    return segments


def _night(policy: CheckPolicy, *, day_start: int, day_end: int) -> list[tuple[SlotKind, range]]:
    """Night slots on a midnight grid: before ``day_start`` and after ``day_end``."""
    step = _step(policy.night_interval)
    phase = _step(policy.phase)
    return [
        (SlotKind.NIGHT, range(phase % step, max(0, day_start), step)),
        (SlotKind.NIGHT, _aligned(step, max(day_end, day_start - 1), _DAY_SECONDS - 1, phase)),
    ]


def due_slots(
    slots: Sequence[PlannedSlot], *, since: datetime, now: datetime
) -> tuple[PlannedSlot, ...]:
    """Slots of one sorted plan that a tick at ``now`` must claim.

    A slot is due when ``since < at <= now`` and it has not expired (``now < at + window``).
    ``since`` is the previous tick's ``now`` (or ``now - lookback`` after a restart): after a missed
    tick, slots still inside their window are claimed; expired ones are skipped for good. Ticks
    over overlapping ranges may return a slot twice; claiming is idempotent per (camera, slot).
    Cost: O(log len(slots) + due).
    """
    _require_aware(since, now)
    low = bisect_right(slots, since, key=_AT)
    high = bisect_right(slots, now, lo=low, key=_AT)
    return tuple(s for s in slots[low:high] if now < s.at + s.window)


def select_due_slots(
    plans: Mapping[K, Sequence[PlannedSlot]], *, since: datetime, now: datetime
) -> list[tuple[K, PlannedSlot]]:
    """Due slots of many offices: ``(office key, slot)`` pairs sorted by ``slot.at``.

    ``plans`` maps an office key (e.g. its id) to a plan from :func:`plan_check_slots`; pass the
    plans of every local date from :func:`local_dates_for_tick` (concatenated per office, still
    sorted). Same due rule as :func:`due_slots`; cost O(offices * log slots + due).
    """
    _require_aware(since, now)
    due: list[tuple[K, PlannedSlot]] = []
    for key, slots in plans.items():
        low = bisect_right(slots, since, key=_AT)
        high = bisect_right(slots, now, lo=low, key=_AT)
        due.extend((key, s) for s in slots[low:high] if now < s.at + s.window)
    due.sort(key=lambda pair: pair[1].at)
    return due


def plan_due_slots(
    offices: Iterable[tuple[K, OfficeDay, CheckPolicy]],
    *,
    zone: ZoneInfo,
    since: datetime,
    now: datetime,
) -> list[tuple[K, PlannedSlot]]:
    """Due slots of many offices straight from their office days, without building whole plans.

    Same result as :func:`select_due_slots` over :func:`plan_check_slots` plans (pass one entry
    per office and local date from :func:`local_dates_for_tick`), but each office costs
    O(log slots + due): the wall-clock template is cached per (hours, policy) and only due slots
    are materialised. Sorted by ``slot.at``; ties keep input order.
    """
    _require_aware(since, now)
    due: list[tuple[K, PlannedSlot]] = []
    for key, office_day, policy in offices:
        midnight, fixed = _day_frame(office_day.date, zone)
        if not fixed:
            plan = plan_check_slots(office_day, policy, zone)
            due.extend((key, slot) for slot in due_slots(plan, since=since, now=now))
            continue
        template = _template(_bounds(office_day.hours), policy)
        since_s = (since - midnight).total_seconds()
        now_s = (now - midnight).total_seconds()
        seconds = template.seconds
        low = bisect_right(seconds, since_s)
        high = bisect_right(seconds, now_s, lo=low)
        for index in range(low, high):
            if now_s < seconds[index] + template.windows[index]:
                slot = PlannedSlot(
                    at=midnight + timedelta(seconds=seconds[index]),
                    kind=template.kinds[index],
                    window=timedelta(seconds=template.windows[index]),
                )
                due.append((key, slot))
    due.sort(key=lambda pair: pair[1].at)
    return due


def local_dates_for_tick(since: datetime, now: datetime, zone: ZoneInfo) -> tuple[date, ...]:
    """Local dates in ``zone`` touched by the tick range ``(since, now]``, oldest first.

    A WITA tick at 23:30 UTC already belongs to the next local date (07:30 WITA).
    """
    _require_aware(since, now)
    if now <= since:
        return ()
    first = since.astimezone(zone).date()
    last = now.astimezone(zone).date()
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


def _require_aware(*values: datetime) -> None:
    if any(v.tzinfo is None or v.utcoffset() is None for v in values):
        raise ValueError("instants must be timezone-aware")
