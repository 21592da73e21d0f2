"""A stable per-office phase spreads the checks of offices with the same hours over the interval."""

import itertools
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from compliance.domain import (
    PERPRES_2023_HOURS,
    CheckPolicy,
    CheckResult,
    CheckStatus,
    DayStatus,
    OfficeDay,
    SlotKind,
    VerdictKind,
    decide_verdict,
    office_phase,
    plan_check_slots,
    plan_due_slots,
    resolve_office_day,
    select_due_slots,
)

WITA = ZoneInfo("Asia/Makassar")
MONDAY = date(2026, 11, 23)
WORKING = resolve_office_day(MONDAY, PERPRES_2023_HOURS, ())
SECURITY = CheckPolicy(after_hours_checks=True, night_checks=True)
FIVE_MINUTES = timedelta(minutes=5)


def local(hhmm: str) -> datetime:
    return datetime.combine(MONDAY, time.fromisoformat(hhmm), tzinfo=WITA)


def test_the_phase_of_an_office_never_changes_and_stays_inside_the_spread() -> None:
    phases = [office_phase(office_id, FIVE_MINUTES) for office_id in range(1, 5001)]
    assert phases == [office_phase(office_id, FIVE_MINUTES) for office_id in range(1, 5001)]
    assert all(timedelta(0) <= phase < FIVE_MINUTES for phase in phases)
    assert all(phase % timedelta(seconds=1) == timedelta(0) for phase in phases)
    assert office_phase(7, timedelta(0)) == timedelta(0)


def test_consecutive_offices_fill_every_minute_of_the_interval_evenly() -> None:
    per_minute = Counter(
        office_phase(office_id, FIVE_MINUTES) // timedelta(minutes=1)
        for office_id in range(1000, 11000)
    )
    assert sorted(per_minute) == [0, 1, 2, 3, 4]
    assert all(1900 <= count <= 2100 for count in per_minute.values())  # 2,000 each, ±5 %
    # Neighbouring ids (one government's offices) are not neighbours in time.
    assert office_phase(1000, FIVE_MINUTES) != office_phase(1001, FIVE_MINUTES)


@pytest.mark.parametrize("seconds", [0, 1, 137, 299])
@pytest.mark.parametrize("policy", [CheckPolicy(), SECURITY], ids=["plain", "security"])
def test_a_phase_moves_every_slot_later_and_keeps_the_windows(
    seconds: int, policy: CheckPolicy
) -> None:
    phase = timedelta(seconds=seconds)
    plain = plan_check_slots(WORKING, policy, WITA)
    moved = plan_check_slots(WORKING, CheckPolicy(**{**vars_of(policy), "phase": phase}), WITA)

    # The same slots, each `phase` later with its kind; a window's last slot, moved past the
    # window's end, is left out (a slot never leaves its window or its local date). Night slots
    # keep their grid from midnight, moved by the phase.
    shifted = {(s.at + phase, s.kind) for s in plain if s.kind is not SlotKind.NIGHT}
    day_slots = [(s.at, s.kind) for s in moved if s.kind is not SlotKind.NIGHT]
    assert set(day_slots) <= shifted
    assert len(shifted) - len(day_slots) <= (3 if seconds else 0)  # one per window end
    midnight = datetime.combine(MONDAY, time(0), tzinfo=WITA)
    night = [s.at - midnight for s in moved if s.kind is SlotKind.NIGHT]
    assert all((offset - phase) % policy.night_interval == timedelta(0) for offset in night)
    assert all(s.at.astimezone(WITA).date() == MONDAY for s in moved)
    assert all(a.expires_at <= b.at for a, b in itertools.pairwise(moved))
    assert all(s.window > timedelta(0) for s in moved)


def vars_of(policy: CheckPolicy) -> dict[str, object]:
    return {name: getattr(policy, name) for name in policy.__dataclass_fields__}


def test_spread_offices_due_planning_matches_their_full_plans() -> None:
    offices = [
        (office_id, WORKING, CheckPolicy(phase=office_phase(office_id, FIVE_MINUTES)))
        for office_id in range(1, 41)
    ] + [
        (
            99,
            OfficeDay(MONDAY, DayStatus.HOLIDAY),
            CheckPolicy(night_checks=True, phase=timedelta(seconds=77)),
        )
    ]
    plans = {key: plan_check_slots(day, policy, WITA) for key, day, policy in offices}
    start = datetime.combine(MONDAY, time(0), tzinfo=WITA).astimezone(UTC)
    for minute in range(0, 24 * 60, 1):
        since, now = start + timedelta(minutes=minute - 1), start + timedelta(minutes=minute)
        assert plan_due_slots(offices, zone=WITA, since=since, now=now) == select_due_slots(
            plans, since=since, now=now
        )


def test_a_grid_of_offices_is_spread_over_the_minutes_instead_of_one_spike() -> None:
    offices = [
        (office_id, WORKING, CheckPolicy(phase=office_phase(office_id, FIVE_MINUTES)))
        for office_id in range(1, 1001)
    ]
    per_tick = [
        len(
            plan_due_slots(
                offices, zone=WITA, since=local(f"07:{m - 1:02d}"), now=local(f"07:{m:02d}")
            )
        )
        for m in range(31, 36)
    ]
    assert sum(per_tick) == 1000  # each office once per five minutes
    assert max(per_tick) < 260  # about 200 a minute, not 1,000 at 07:30 and none after


def test_a_spread_office_seen_open_on_its_own_slots_is_on_time() -> None:
    policy = CheckPolicy(phase=timedelta(seconds=200))
    checks = [
        CheckResult(slot.at, CheckStatus.OK, 2 if slot.at >= local("07:30") else 0, number)
        for number, slot in enumerate(plan_check_slots(WORKING, policy, WITA), start=1)
    ]
    verdict = decide_verdict(WORKING, checks, policy, None, zone=WITA)
    assert verdict.kind is VerdictKind.ON_TIME
    assert verdict.opened_at == local("07:33:20")
    assert verdict.coverage == 1.0


def test_a_phase_outside_a_day_is_refused() -> None:
    with pytest.raises(ValueError, match="phase"):
        CheckPolicy(phase=timedelta(days=1))
    with pytest.raises(ValueError, match="phase"):
        CheckPolicy(phase=timedelta(milliseconds=10))
