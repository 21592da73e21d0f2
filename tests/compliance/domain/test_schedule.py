"""Check-slot planning: windows, de-duplication, zones, and what a one-minute tick claims."""

import itertools
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from compliance.domain.schedule import (
    due_slots,
    local_dates_for_tick,
    plan_check_slots,
    plan_due_slots,
    select_due_slots,
)
from compliance.domain.types import (
    PERPRES_2023_HOURS,
    CheckPolicy,
    DayHours,
    DayStatus,
    HolidayEntry,
    OfficeDay,
    PlannedSlot,
    SlotKind,
)
from compliance.domain.workdays import resolve_office_day

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")
MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)
SECURITY = CheckPolicy(after_hours_checks=True, night_checks=True)


def local(day: date, hhmm: str, zone: ZoneInfo = WITA) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zone)


def working(day: date) -> OfficeDay:
    return resolve_office_day(day, PERPRES_2023_HOURS, ())


def kinds(slots: tuple[PlannedSlot, ...]) -> Counter[SlotKind]:
    return Counter(s.kind for s in slots)


@pytest.mark.parametrize(
    ("office_day", "policy", "expected"),
    [
        pytest.param(
            working(MONDAY),
            CheckPolicy(),
            {SlotKind.OPENING: 43, SlotKind.DAYTIME: 4, SlotKind.CLOSING: 7},
            id="mon-07:30-16:00",
        ),
        pytest.param(
            working(FRIDAY),
            CheckPolicy(),
            {SlotKind.OPENING: 43, SlotKind.DAYTIME: 5, SlotKind.CLOSING: 7},
            id="fri-07:30-16:30",
        ),
        pytest.param(
            working(MONDAY),
            SECURITY,
            {
                SlotKind.NIGHT: 4,
                SlotKind.OPENING: 43,
                SlotKind.DAYTIME: 4,
                SlotKind.CLOSING: 7,
                SlotKind.AFTER_HOURS: 6,
            },
            id="mon-with-security",
        ),
        pytest.param(
            OfficeDay(date=date(2026, 11, 28), status=DayStatus.NON_WORKING),
            CheckPolicy(),
            {},
            id="weekend-no-security",
        ),
        pytest.param(
            OfficeDay(date=date(2026, 11, 28), status=DayStatus.NON_WORKING),
            SECURITY,
            {SlotKind.NIGHT: 3, SlotKind.AFTER_HOURS: 17},
            id="weekend-security",
        ),
    ],
)
def test_slot_counts_per_window(
    office_day: OfficeDay, policy: CheckPolicy, expected: dict[SlotKind, int]
) -> None:
    assert kinds(plan_check_slots(office_day, policy, WITA)) == expected


def test_windows_follow_the_policy_in_local_time() -> None:
    slots = plan_check_slots(working(MONDAY), SECURITY, WITA)
    by_kind: dict[SlotKind, list[str]] = {}
    for slot in slots:
        by_kind.setdefault(slot.kind, []).append(slot.at.astimezone(WITA).strftime("%H:%M"))

    assert by_kind[SlotKind.OPENING][0] == "07:00"
    assert by_kind[SlotKind.OPENING][-1] == "10:30"
    assert by_kind[SlotKind.DAYTIME] == ["11:30", "12:30", "13:30", "14:30"]
    assert by_kind[SlotKind.CLOSING] == [
        "15:30",
        "15:40",
        "15:50",
        "16:00",
        "16:10",
        "16:20",
        "16:30",
    ]
    assert by_kind[SlotKind.AFTER_HOURS] == ["17:00", "18:00", "19:00", "20:00", "21:00", "22:00"]
    assert by_kind[SlotKind.NIGHT] == ["00:00", "02:00", "04:00", "06:00"]


@pytest.mark.parametrize(
    "hours",
    [
        pytest.param(DayHours(time(7, 30), time(9, 0)), id="opening-overlaps-closing"),
        pytest.param(DayHours(time(0, 10), time(23, 50)), id="windows-clipped-to-date"),
        pytest.param(DayHours(time(8, 0), time(15, 0)), id="ramadan"),
    ],
)
def test_slots_are_unique_sorted_and_windows_never_overlap(hours: DayHours) -> None:
    office_day = OfficeDay(date=MONDAY, status=DayStatus.WORKING, hours=hours)
    slots = plan_check_slots(office_day, SECURITY, WITA)
    day_start, day_end = local(MONDAY, "00:00"), local(MONDAY + timedelta(days=1), "00:00")

    assert len({s.at for s in slots}) == len(slots)
    assert all(a.at < b.at for a, b in itertools.pairwise(slots))
    assert all(a.expires_at <= b.at for a, b in itertools.pairwise(slots))
    assert all(day_start <= s.at and s.expires_at <= day_end for s in slots)
    assert all(s.window > timedelta(0) and s.at.tzinfo is UTC for s in slots)


def test_overlapping_windows_keep_the_opening_kind() -> None:
    office_day = OfficeDay(
        date=MONDAY, status=DayStatus.WORKING, hours=DayHours(time(7, 30), time(9, 0))
    )
    slots = {
        s.at.astimezone(WITA).strftime("%H:%M"): s
        for s in plan_check_slots(office_day, CheckPolicy(), WITA)
    }

    assert slots["08:30"].kind is SlotKind.OPENING
    assert slots["08:30"].window == timedelta(minutes=5)
    assert slots["08:35"].kind is SlotKind.OPENING


def test_2330_utc_is_0730_wita_on_the_next_date() -> None:
    tuesday = working(date(2026, 11, 24))
    instant = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)

    slot = next(s for s in plan_check_slots(tuesday, CheckPolicy(), WITA) if s.at == instant)

    assert slot.kind is SlotKind.OPENING
    assert instant.astimezone(WITA).date() == date(2026, 11, 24)
    assert local_dates_for_tick(instant - timedelta(minutes=1), instant, WITA) == (
        date(2026, 11, 24),
    )


def test_tick_across_local_midnight_touches_both_dates() -> None:
    since = datetime(2026, 11, 23, 15, 58, tzinfo=UTC)  # 23:58 WITA Monday
    now = datetime(2026, 11, 23, 16, 1, tzinfo=UTC)  # 00:01 WITA Tuesday

    assert local_dates_for_tick(since, now, WITA) == (MONDAY, date(2026, 11, 24))
    assert local_dates_for_tick(now, since, WITA) == ()


def test_a_different_zone_gives_different_utc_slots() -> None:
    office_day = working(MONDAY)

    wita = plan_check_slots(office_day, CheckPolicy(), WITA)
    wib = plan_check_slots(office_day, CheckPolicy(), WIB)

    assert wita[6].at == datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # 07:30 WITA
    assert wib[6].at == datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 07:30 WIB
    assert [s.at - timedelta(hours=1) for s in wib] == [s.at for s in wita]


def test_holiday_plans_only_security_slots() -> None:
    holiday = resolve_office_day(
        date(2026, 12, 25), PERPRES_2023_HOURS, [HolidayEntry(date(2026, 12, 25), "Natal")]
    )

    slots = plan_check_slots(holiday, SECURITY, WITA)

    assert set(kinds(slots)) == {SlotKind.AFTER_HOURS, SlotKind.NIGHT}


def test_planning_is_idempotent() -> None:
    office_day = working(MONDAY)

    assert plan_check_slots(office_day, CheckPolicy(), WITA) == plan_check_slots(
        working(MONDAY), CheckPolicy(), WITA
    )


PLAN = plan_check_slots(working(MONDAY), CheckPolicy(), WITA)


@pytest.mark.parametrize(
    ("since", "now", "expected"),
    [
        pytest.param("07:04", "07:05", ["07:05"], id="slot-due-exactly-at-its-minute"),
        pytest.param("07:05", "07:06", [], id="already-claimed-by-previous-tick"),
        pytest.param("07:04", "07:08", ["07:05"], id="beat-down-3-min-still-in-window"),
        pytest.param("07:04", "07:10", ["07:10"], id="window-end-is-exclusive"),
        pytest.param("07:04", "07:16", ["07:15"], id="expired-slots-are-dropped"),
        pytest.param("10:29", "11:00", [], id="last-opening-slot-expired"),
        pytest.param("11:29", "12:29", ["11:30"], id="hourly-slot-lives-an-hour"),
        pytest.param("06:00", "06:59", [], id="nothing-before-opening-window"),
    ],
)
def test_tick_claims_due_slots_and_skips_expired(since: str, now: str, expected: list[str]) -> None:
    due = due_slots(PLAN, since=local(MONDAY, since), now=local(MONDAY, now))

    assert [s.at.astimezone(WITA).strftime("%H:%M") for s in due] == expected


def test_many_offices_are_selected_in_slot_order() -> None:
    wita_plan = plan_check_slots(working(MONDAY), CheckPolicy(), WITA)
    wib_plan = plan_check_slots(working(MONDAY), CheckPolicy(), WIB)
    holiday_plan = plan_check_slots(
        OfficeDay(date=MONDAY, status=DayStatus.HOLIDAY), CheckPolicy(), WITA
    )
    since = datetime(2026, 11, 22, 23, 29, tzinfo=UTC)

    due = select_due_slots(
        {"kendari": wita_plan, "jakarta": wib_plan, "libur": holiday_plan},
        since=since,
        now=since + timedelta(hours=1, minutes=1),
    )

    assert [(key, s.at.strftime("%H:%M")) for key, s in due] == [
        ("kendari", "00:30"),
        ("jakarta", "00:30"),
    ]


def test_naive_instants_are_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_slots(PLAN, since=datetime(2026, 11, 23, 7, 0), now=local(MONDAY, "07:05"))


BERLIN = ZoneInfo("Europe/Berlin")  # has DST: exercises the slot-by-slot path


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        pytest.param(WITA, MONDAY, id="wita"),
        pytest.param(WIB, MONDAY, id="wib"),
        pytest.param(BERLIN, date(2026, 3, 29), id="dst-spring-forward"),
        pytest.param(BERLIN, date(2026, 10, 25), id="dst-fall-back"),
    ],
)
def test_fast_due_planning_matches_full_plans_at_every_tick(zone: ZoneInfo, day: date) -> None:
    offices = [
        ("mon-thu", working(day), SECURITY),
        ("custom", OfficeDay(day, DayStatus.WORKING, DayHours(time(2, 0), time(9, 0))), SECURITY),
        ("closed", OfficeDay(day, DayStatus.HOLIDAY), SECURITY),
        ("plain", working(day), CheckPolicy()),
    ]
    plans = {key: plan_check_slots(office_day, policy, zone) for key, office_day, policy in offices}
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

    for step in range(0, 25 * 60, 3):  # every 3 minutes, with a missed tick each time
        since = start + timedelta(minutes=step - 3)
        now = start + timedelta(minutes=step)
        expected = select_due_slots(plans, since=since, now=now)
        assert plan_due_slots(offices, zone=zone, since=since, now=now) == expected


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_dst_dates_keep_slots_unique_and_windows_apart(day: date) -> None:
    office_day = OfficeDay(day, DayStatus.WORKING, DayHours(time(1, 30), time(4, 0)))

    slots = plan_check_slots(office_day, SECURITY, BERLIN)

    assert len({s.at for s in slots}) == len(slots)
    assert all(a.expires_at <= b.at for a, b in itertools.pairwise(slots))


def reference_plan(hours: DayHours, policy: CheckPolicy) -> list[tuple[int, SlotKind, int]]:
    """Minute-by-minute restatement of the planning rules: (second, kind, window seconds)."""
    day = 24 * 3600

    def sec(value: time | timedelta) -> int:
        if isinstance(value, timedelta):
            return int(value.total_seconds())
        return value.hour * 3600 + value.minute * 60

    open_s, close_s, until = sec(hours.open), sec(hours.close), sec(policy.after_hours_until)
    opening_start = max(0, open_s - sec(policy.opening_lead))
    opening_end = open_s + sec(policy.opening_tail)
    closing_start = close_s - sec(policy.closing_lead)
    closing_end = min(day - 1, close_s + sec(policy.closing_tail))
    rules: dict[SlotKind, Callable[[int], bool]] = {
        SlotKind.OPENING: lambda t: (
            opening_start <= t <= opening_end
            and (t - opening_start) % sec(policy.opening_interval) == 0
        ),
        SlotKind.CLOSING: lambda t: (
            closing_start <= t <= closing_end
            and (t - closing_start) % sec(policy.closing_interval) == 0
        ),
        SlotKind.DAYTIME: lambda t: (
            opening_end < t < closing_start
            and t > open_s
            and (t - open_s) % sec(policy.daytime_interval) == 0
        ),
        SlotKind.AFTER_HOURS: lambda t: (
            policy.after_hours_checks
            and closing_end < t <= until
            and t % sec(policy.after_hours_interval) == 0
        ),
        SlotKind.NIGHT: lambda t: (
            policy.night_checks
            and (t < opening_start or t > until)
            and t % sec(policy.night_interval) == 0
        ),
    }
    intervals = {
        SlotKind.OPENING: policy.opening_interval,
        SlotKind.CLOSING: policy.closing_interval,
        SlotKind.DAYTIME: policy.daytime_interval,
        SlotKind.AFTER_HOURS: policy.after_hours_interval,
        SlotKind.NIGHT: policy.night_interval,
    }
    chosen = [
        (t, next(kind for kind in SlotKind if rules[kind](t)))
        for t in range(0, day, 60)
        if any(rule(t) for rule in rules.values())
    ]
    limits = [t for t, _ in chosen[1:]] + [day]
    return [
        (t, kind, min(sec(intervals[kind]), limit - t))
        for (t, kind), limit in zip(chosen, limits, strict=True)
    ]


@pytest.mark.parametrize(
    "hours",
    [
        DayHours(time(7, 30), time(16, 0)),
        DayHours(time(8, 0), time(15, 30)),
        DayHours(time(7, 30), time(9, 0)),
        DayHours(time(0, 10), time(23, 50)),
        DayHours(time(6, 7), time(14, 13)),
        DayHours(time(13, 0), time(22, 30)),
    ],
    ids=str,
)
@pytest.mark.parametrize(
    "policy",
    [
        pytest.param(CheckPolicy(), id="default"),
        pytest.param(SECURITY, id="security"),
        pytest.param(
            CheckPolicy(
                opening_interval=timedelta(minutes=7),
                opening_tail=timedelta(hours=6),
                closing_lead=timedelta(hours=2),
                daytime_interval=timedelta(minutes=45),
                after_hours_checks=True,
                after_hours_interval=timedelta(minutes=25),
                night_checks=True,
                night_interval=timedelta(minutes=50),
            ),
            id="odd-overlapping",
        ),
    ],
)
def test_plan_matches_a_minute_by_minute_reading_of_the_rules(
    hours: DayHours, policy: CheckPolicy
) -> None:
    office_day = OfficeDay(date=MONDAY, status=DayStatus.WORKING, hours=hours)
    midnight = local(MONDAY, "00:00")

    plan = [
        (int((s.at - midnight).total_seconds()), s.kind, int(s.window.total_seconds()))
        for s in plan_check_slots(office_day, policy, WITA)
    ]

    assert plan == reference_plan(hours, policy)
