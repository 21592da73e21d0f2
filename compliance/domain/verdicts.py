"""Daily verdicts: did an office open on time, judged from its camera checks.

Pure functions. Rules (all instants aware; local hours mapped through the caller's ``zone``):

* A check is *open* when its status is ``ok`` and ``people >= hours.min_staff``. Checks are merged
  per slot instant first (several cameras: ``ok`` if any is, people = the maximum, never the sum).
* The office *opened* at the first check of ``policy.open_checks_needed`` (K) consecutive observed
  open checks in ``[opening window start, closing time)``. ``no_data`` checks neither extend nor
  break a run, but a run breaks when more than ``policy.max_skipped_slots_in_run`` planned slots
  between two of its checks went unobserved (a long outage cannot bridge a passer-by and a later
  opening), and any ``ok`` check showing the office not open breaks it.
* *On time*: opened at or before opening + grace, compared in whole minutes (07:45:59 counts as
  07:45). It stands whatever the coverage.
* *Late*: opened after the deadline, the camera saw the office not open within one opening
  interval of the deadline (either side, inclusive, before the opening) and opening-window
  coverage reached the threshold. ``minutes_late`` counts whole minutes from the scheduled
  opening, not from the deadline. Without that sighting, or with low coverage, the day is
  ``no_data``: the outage is reported, not the office.
* *Not opened*: no opening before closing time and coverage reached the threshold; else
  ``no_data``.
* *Closed early*: after the opening, at least ``policy.closed_early_min_checks`` ``ok`` checks in
  ``[close - closing_lead, close)`` and all show the office not open. It replaces ``on_time``; on
  a late day the kind stays ``late`` and ``closed_early_at`` records it.
* Coverage: share of planned opening-window slots with an ``ok`` check inside the slot's window.
* Timing: with ``now`` given the verdict uses only checks up to ``now``; it is ``awaiting`` (kind
  ``None``) until the deadline passes or while an opening run begun by the deadline awaits its
  K-th check, ``provisional`` afterwards, and ``final`` once the last opening/daytime/closing slot
  expired. ``now=None`` means "the day is over". A recomputation with the same inputs gives the
  same verdict, whatever the order of ``checks``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from compliance.domain.schedule import plan_check_slots
from compliance.domain.types import (
    CheckPolicy,
    CheckResult,
    DayHours,
    DayStatus,
    OfficeDay,
    PlannedSlot,
    ReasonCode,
    SlotKind,
    Verdict,
    VerdictKind,
    VerdictState,
)

__all__ = [
    "decide_verdict",
    "find_after_hours_presence",
    "find_camera_outage_start",
    "should_alert_camera_down",
    "should_alert_office_not_open",
]

_MINUTE = timedelta(minutes=1)
_SERVICE_KINDS = frozenset({SlotKind.OPENING, SlotKind.DAYTIME, SlotKind.CLOSING})
_CLOSED_DAY_VERDICTS = {
    DayStatus.HOLIDAY: (VerdictKind.HOLIDAY, ReasonCode.HOLIDAY),
    DayStatus.NON_WORKING: (VerdictKind.NON_WORKING_DAY, ReasonCode.NON_WORKING_DAY),
    DayStatus.EXCUSED: (VerdictKind.EXCUSED, ReasonCode.EXCUSED),
}


@dataclass(frozen=True, slots=True)
class _Timeline:
    open_at: datetime
    close_at: datetime
    deadline: datetime
    window_start: datetime
    plan: tuple[PlannedSlot, ...]
    plan_times: tuple[datetime, ...]
    opening_slots: tuple[PlannedSlot, ...]
    service_end: datetime


@dataclass(frozen=True, slots=True)
class _DayFacts:
    """What the checks of one working day establish, before any rule picks a kind."""

    line: _Timeline
    min_staff: int
    checks: tuple[CheckResult, ...]  # merged per slot, up to `now`
    in_service: tuple[CheckResult, ...]  # ok checks in [opening window start, closing time)
    ok_times: tuple[datetime, ...]
    final: bool
    coverage: float
    run: tuple[CheckResult, ...]
    opened: bool
    opened_at: datetime | None
    run_ids: tuple[int, ...]
    closed_early_at: datetime | None
    closing_ids: tuple[int, ...]


def decide_verdict(
    office_day: OfficeDay,
    checks: Iterable[CheckResult],
    policy: CheckPolicy,
    now: datetime | None = None,
    *,
    zone: ZoneInfo,
) -> Verdict:
    """Judge one office on ``office_day.date`` (local date in ``zone``) from its checks.

    ``checks`` may come in any order and may include other dates (ignored). An aware ``now``
    makes the verdict provisional during the day; ``None`` judges the finished day. Output
    instants are UTC. See the module docstring for the rules. Pure and idempotent.
    """
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise ValueError("now must be timezone-aware")
    closed = _CLOSED_DAY_VERDICTS.get(office_day.status)
    if closed is not None or office_day.hours is None:
        kind, reason = closed or (VerdictKind.NON_WORKING_DAY, ReasonCode.NON_WORKING_DAY)
        return Verdict(kind=kind, state=VerdictState.FINAL, reason=reason)

    hours = office_day.hours
    facts = _day_facts(office_day, hours, checks, policy, now, zone)
    base = _base_verdict(facts, office_day)
    opened_at = facts.opened_at
    if (
        opened_at is not None
        and _minutes_after(opened_at, facts.line.open_at) <= hours.grace_minutes
    ):
        return _opened_in_grace(base, facts, opened_at)
    if now is not None and not facts.final:
        awaiting = _awaiting_reason(
            now, facts.run, facts.opened, facts.line, policy, facts.ok_times
        )
        if awaiting is not None:
            return replace(base, state=VerdictState.AWAITING, reason=awaiting)
    return _judged_after_deadline(base, facts, policy)


def _day_facts(
    office_day: OfficeDay,
    hours: DayHours,
    checks: Iterable[CheckResult],
    policy: CheckPolicy,
    now: datetime | None,
    zone: ZoneInfo,
) -> _DayFacts:
    line = _timeline(office_day, hours, policy, zone)
    timeline = _merge_checks(checks, office_day, zone, now)
    ok = [c for c in timeline if c.is_ok]
    ok_times = tuple(c.slot for c in ok)
    final = now is None or now >= line.service_end
    in_service = [c for c in ok if line.window_start <= c.slot < line.close_at]
    run, opened = _find_opening(in_service, hours.min_staff, policy, line)
    opened_at = run[0].slot if opened else None
    closed_early_at, closing_ids = (
        _closed_early(in_service, opened_at, hours, policy, line) if opened_at else (None, ())
    )
    return _DayFacts(
        line=line,
        min_staff=hours.min_staff,
        checks=tuple(timeline),
        in_service=tuple(in_service),
        ok_times=ok_times,
        final=final,
        coverage=_coverage(line.opening_slots, ok_times, None if final else now),
        run=run,
        opened=opened,
        opened_at=opened_at,
        run_ids=_ids(run) if opened else (),
        closed_early_at=closed_early_at,
        closing_ids=closing_ids,
    )


def _base_verdict(facts: _DayFacts, office_day: OfficeDay) -> Verdict:
    """The verdict's facts that every kind carries (no kind yet: awaiting the deadline)."""
    line = facts.line
    first_arrival = next((c.slot for c in facts.in_service if c.people >= 1), None)
    staffed = [c.is_open(facts.min_staff) for c in facts.in_service if c.slot >= line.open_at]
    return Verdict(
        kind=None,
        state=VerdictState.FINAL if facts.final else VerdictState.PROVISIONAL,
        reason=ReasonCode.AWAITING_DEADLINE,
        coverage=facts.coverage,
        first_arrival=first_arrival,
        staffed_share=sum(staffed) / len(staffed) if staffed else None,
        closed_early_at=facts.closed_early_at,
        deadline=line.deadline,
        flexible_work=office_day.flexible_work,
    )


def _opened_in_grace(base: Verdict, facts: _DayFacts, opened_at: datetime) -> Verdict:
    """Opened by the deadline: on time, or closed early when the closing checks say so."""
    if facts.closed_early_at is not None:
        return replace(
            base,
            kind=VerdictKind.CLOSED_EARLY,
            reason=ReasonCode.CLOSED_BEFORE_CLOSING_TIME,
            opened_at=opened_at,
            minutes_late=0,
            evidence_observation_ids=_unique(facts.run_ids + facts.closing_ids),
        )
    return replace(
        base,
        kind=VerdictKind.ON_TIME,
        reason=ReasonCode.OPENED_WITHIN_GRACE,
        opened_at=opened_at,
        minutes_late=0,
        evidence_observation_ids=facts.run_ids,
    )


def _judged_after_deadline(base: Verdict, facts: _DayFacts, policy: CheckPolicy) -> Verdict:
    """Past the deadline without an opening in grace: late, not opened, or no data."""
    line, opened_at = facts.line, facts.opened_at
    near = [c for c in facts.checks if abs(c.slot - line.deadline) <= policy.opening_interval]
    seen_closed = [
        c
        for c in near
        if c.is_ok and not c.is_open(facts.min_staff) and (opened_at is None or c.slot < opened_at)
    ]
    outage_ids = _ids(c for c in near if not c.is_ok)
    covered = facts.coverage >= policy.coverage_threshold
    if opened_at is not None:
        if covered and seen_closed:
            return replace(
                base,
                kind=VerdictKind.LATE,
                reason=ReasonCode.OPENED_AFTER_GRACE,
                opened_at=opened_at,
                minutes_late=_minutes_after(opened_at, line.open_at),
                evidence_observation_ids=_unique(
                    _ids(seen_closed) + facts.run_ids + facts.closing_ids
                ),
            )
        return replace(
            base,
            kind=VerdictKind.NO_DATA,
            reason=ReasonCode.LOW_COVERAGE if not covered else ReasonCode.DEADLINE_UNOBSERVED,
            opened_at=opened_at,
            evidence_observation_ids=_unique(outage_ids + facts.run_ids),
        )
    if covered:
        return replace(
            base,
            kind=VerdictKind.NOT_OPENED,
            reason=ReasonCode.NOT_SEEN_OPEN,
            evidence_observation_ids=_unique(_ids(seen_closed) + _ids(facts.in_service[-1:])),
        )
    return replace(
        base,
        kind=VerdictKind.NO_DATA,
        reason=ReasonCode.LOW_COVERAGE,
        evidence_observation_ids=outage_ids,
    )


def _timeline(
    office_day: OfficeDay, hours: DayHours, policy: CheckPolicy, zone: ZoneInfo
) -> _Timeline:
    open_at = datetime.combine(office_day.date, hours.open, tzinfo=zone).astimezone(UTC)
    close_at = datetime.combine(office_day.date, hours.close, tzinfo=zone).astimezone(UTC)
    plan = plan_check_slots(office_day, policy, zone)
    opening = tuple(s for s in plan if s.kind is SlotKind.OPENING)
    service = [s.expires_at for s in plan if s.kind in _SERVICE_KINDS]
    return _Timeline(
        open_at=open_at,
        close_at=close_at,
        deadline=open_at + timedelta(minutes=hours.grace_minutes),
        window_start=opening[0].at if opening else open_at - policy.opening_lead,
        plan=plan,
        plan_times=tuple(s.at for s in plan),
        opening_slots=opening,
        service_end=max(service) if service else close_at,
    )


def _merge_checks(
    checks: Iterable[CheckResult], office_day: OfficeDay, zone: ZoneInfo, now: datetime | None
) -> list[CheckResult]:
    """One check per slot instant on the office's local date, sorted, ignoring checks after now."""
    best: dict[datetime, CheckResult] = {}
    day_start, day_end = _local_day_bounds(office_day, zone)
    for check in checks:
        if now is not None and check.slot > now:
            continue
        if not day_start <= check.slot < day_end:  # not on the office's local date
            continue
        slot = check.slot.astimezone(UTC)
        current = best.get(slot)
        if current is None or _rank(check) > _rank(current):
            best[slot] = check
    return [
        c if c.slot.tzinfo is UTC else replace(c, slot=slot) for slot, c in sorted(best.items())
    ]


def _local_day_bounds(office_day: OfficeDay, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the office's local date as UTC instants: comparing an instant with
    them says whether it falls on that date, without converting each instant to the zone
    (and instants in UTC, as the database gives them, compare without a UTC offset lookup)."""
    start = datetime.combine(office_day.date, time.min, tzinfo=zone)
    end = datetime.combine(office_day.date + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _rank(check: CheckResult) -> tuple[bool, int, int]:
    # Prefer a usable frame, then more people, then the lowest observation id (deterministic).
    oid = check.observation_id if check.observation_id is not None else 2**63
    return (check.is_ok, check.people, -oid)


def _coverage(
    opening: Sequence[PlannedSlot], ok_times: Sequence[datetime], now: datetime | None
) -> float:
    considered = 0
    covered = 0
    for slot in opening:
        index = bisect_left(ok_times, slot.at)
        hit = index < len(ok_times) and ok_times[index] < slot.expires_at
        # While the day runs, a slot counts once its check arrived or its window expired.
        if now is None or hit or slot.expires_at <= now:
            considered += 1
            covered += hit
    return covered / considered if considered else 0.0


def _find_opening(
    in_service: Sequence[CheckResult], min_staff: int, policy: CheckPolicy, line: _Timeline
) -> tuple[tuple[CheckResult, ...], bool]:
    """Return (run, found): the opening run if found, else the trailing unfinished run."""
    run: list[CheckResult] = []
    for check in in_service:
        if not check.is_open(min_staff):
            run = []
            continue
        if run and _unobserved_between(run[-1].slot, check.slot, line) > (
            policy.max_skipped_slots_in_run
        ):
            run = []
        run.append(check)
        if len(run) >= policy.open_checks_needed:
            return tuple(run), True
    return tuple(run), False


def _unobserved_between(earlier: datetime, later: datetime, line: _Timeline) -> int:
    # Every ok check is visited in order, so planned slots strictly between two consecutive ok
    # checks had no usable frame.
    return max(0, bisect_left(line.plan_times, later) - bisect_right(line.plan_times, earlier))


def _awaiting_reason(
    now: datetime,
    run: tuple[CheckResult, ...],
    opened: bool,
    line: _Timeline,
    policy: CheckPolicy,
    ok_times: Sequence[datetime],
) -> ReasonCode | None:
    if now < line.deadline + _MINUTE and not opened:
        return ReasonCode.AWAITING_DEADLINE
    if opened or not run or _minutes_after(run[0].slot, line.deadline) > 0:
        return None
    # A run begun by the deadline may still become an on-time opening while it can be extended.
    after_run = line.plan[bisect_right(line.plan_times, run[-1].slot) :]
    lost = sum(1 for s in after_run if s.expires_at <= now)
    if ok_times and ok_times[-1] > run[-1].slot:
        return None
    return ReasonCode.AWAITING_CONFIRMATION if lost <= policy.max_skipped_slots_in_run else None


def _closed_early(
    in_service: Sequence[CheckResult],
    opened_at: datetime,
    hours: DayHours,
    policy: CheckPolicy,
    line: _Timeline,
) -> tuple[datetime | None, tuple[int, ...]]:
    after = [c for c in in_service if c.slot > opened_at]
    closing = [c for c in after if c.slot >= line.close_at - policy.closing_lead]
    if len(closing) < policy.closed_early_min_checks:
        return None, ()
    if any(c.is_open(hours.min_staff) for c in closing):
        return None, ()
    first_closed = closing[0].slot
    for check in reversed(after):
        if check.is_open(hours.min_staff):
            break
        first_closed = check.slot
    return first_closed, _ids(closing)


def _minutes_after(instant: datetime, reference: datetime) -> int:
    """Whole minutes from ``reference`` to ``instant``, floored (07:45:59 is 15 after 07:30)."""
    return (instant - reference) // _MINUTE


def _ids(checks: Iterable[CheckResult]) -> tuple[int, ...]:
    return tuple(c.observation_id for c in checks if c.observation_id is not None)


def _unique(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(ids))


def should_alert_office_not_open(verdict: Verdict) -> bool:
    """True when the camera saw the office not open at opening + grace (``late``/``not_opened``).

    Evaluate on provisional verdicts each tick; the caller sends one alert per office and date.
    """
    return verdict.kind in (VerdictKind.NOT_OPENED, VerdictKind.LATE)


def find_camera_outage_start(
    checks: Iterable[CheckResult], now: datetime | None = None
) -> datetime | None:
    """Start (UTC) of the current outage: first of the trailing ``no_data`` checks up to ``now``.

    Checks are merged per slot instant (``ok`` if any camera delivered a frame). ``None`` when the
    latest check is ``ok`` or there are no checks.
    """
    by_slot: dict[datetime, bool] = {}
    for check in checks:
        if now is not None and check.slot > now:
            continue
        slot = check.slot.astimezone(UTC)
        by_slot[slot] = by_slot.get(slot, False) or check.is_ok
    start: datetime | None = None
    for slot in sorted(by_slot, reverse=True):
        if by_slot[slot]:
            break
        start = slot
    return start


def should_alert_camera_down(
    checks: Iterable[CheckResult], now: datetime, policy: CheckPolicy
) -> bool:
    """True when the camera has given only ``no_data`` for more than
    ``policy.camera_down_alert_after`` (default 30 min) up to ``now``."""
    start = find_camera_outage_start(checks, now)
    return start is not None and now - start > policy.camera_down_alert_after


def find_after_hours_presence(
    office_day: OfficeDay, checks: Iterable[CheckResult], policy: CheckPolicy, *, zone: ZoneInfo
) -> list[CheckResult]:
    """``ok`` checks with people (>= 1) while the office is closed, sorted by slot.

    Closed means the whole local date on holidays and non-working days, and on working days the time
    before the opening window (open - opening_lead) and after the closing window (close +
    closing_tail): staff arriving early or leaving late is not a security event. Excused days report
    nothing (the excuse may well explain people on site).
    """
    if office_day.status is DayStatus.EXCUSED:
        return []
    day_start, day_end = _local_day_bounds(office_day, zone)
    day_checks = [c for c in checks if c.is_ok and c.people >= 1 and day_start <= c.slot < day_end]
    hours = office_day.hours
    if hours is not None:
        open_at = datetime.combine(office_day.date, hours.open, tzinfo=zone)
        close_at = datetime.combine(office_day.date, hours.close, tzinfo=zone)
        start = (open_at - policy.opening_lead).astimezone(UTC)
        end = (close_at + policy.closing_tail).astimezone(UTC)
        day_checks = [c for c in day_checks if not start <= c.slot <= end]
    return sorted(day_checks, key=lambda c: (c.slot, _rank(c)))
