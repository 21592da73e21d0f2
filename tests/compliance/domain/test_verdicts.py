"""Daily verdict rules, table-driven. Times in the tables are local WITA on Monday 23 Nov 2026.

A scenario lists ``(from, to, people)`` segments applied to every planned slot in that local
range (later segments win); ``people=None`` means the check returned ``no_data``. Slots outside
every segment show an empty office (``ok``, 0 people).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from compliance.domain.schedule import plan_check_slots
from compliance.domain.types import (
    PERPRES_2023_HOURS,
    CheckPolicy,
    CheckResult,
    CheckStatus,
    DayHours,
    DayStatus,
    ExcuseSpan,
    HolidayEntry,
    HolidayKind,
    OfficeDay,
    ReasonCode,
    SpecialPeriod,
    SpecialPeriodKind,
    Verdict,
    VerdictKind,
    VerdictState,
)
from compliance.domain.verdicts import (
    decide_verdict,
    find_after_hours_presence,
    find_camera_outage_start,
    should_alert_camera_down,
    should_alert_office_not_open,
)
from compliance.domain.workdays import resolve_office_day

WITA = ZoneInfo("Asia/Makassar")
MONDAY = date(2026, 11, 23)
POLICY = CheckPolicy()
SECURITY = CheckPolicy(after_hours_checks=True, night_checks=True)
OFFICE_DAY = resolve_office_day(MONDAY, PERPRES_2023_HOURS, ())

Segment = tuple[str, str, int | None]


def at(hhmm: str, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=WITA)


def hhmm(instant: datetime | None) -> str | None:
    return None if instant is None else instant.astimezone(WITA).strftime("%H:%M:%S")


def observe(
    *segments: Segment, office_day: OfficeDay = OFFICE_DAY, policy: CheckPolicy = POLICY
) -> list[CheckResult]:
    checks = []
    for number, slot in enumerate(plan_check_slots(office_day, policy, WITA), start=1):
        local = slot.at.astimezone(WITA).strftime("%H:%M")
        people: int | None = 0
        for start, end, value in segments:
            if start <= local <= end:
                people = value
        status = CheckStatus.NO_DATA if people is None else CheckStatus.OK
        checks.append(CheckResult(slot.at, status, people or 0, observation_id=number))
    return checks


def extra(hhmmss: str, people: int, observation_id: int = 1000) -> CheckResult:
    return CheckResult(at(hhmmss), CheckStatus.OK, people, observation_id)


def decide(
    checks: list[CheckResult],
    now: datetime | None = None,
    *,
    office_day: OfficeDay = OFFICE_DAY,
    policy: CheckPolicy = POLICY,
) -> Verdict:
    return decide_verdict(office_day, checks, policy, now, zone=WITA)


OPEN_ALL_DAY: Segment = ("07:30", "16:30", 3)

SCENARIOS: dict[str, tuple[list[CheckResult], VerdictKind, str | None, int | None]] = {
    "open-at-opening": (observe(OPEN_ALL_DAY), VerdictKind.ON_TIME, "07:30:00", 0),
    "open-early": (observe(("07:00", "16:30", 2)), VerdictKind.ON_TIME, "07:00:00", 0),
    "open-at-deadline": (observe(("07:45", "16:30", 2)), VerdictKind.ON_TIME, "07:45:00", 0),
    "open-within-deadline-minute": (
        [*observe(("07:50", "16:30", 2)), extra("07:45:59", 2)],
        VerdictKind.ON_TIME,
        "07:45:59",
        0,
    ),
    "open-one-minute-after-deadline": (
        [*observe(("07:50", "16:30", 2)), extra("07:46:00", 2)],
        VerdictKind.LATE,
        "07:46:00",
        16,
    ),
    "open-twenty-minutes-after-opening": (
        observe(("07:50", "16:30", 2)),
        VerdictKind.LATE,
        "07:50:00",
        20,
    ),
    "opened-only-after-the-opening-window": (
        observe(("11:30", "16:30", 2)),
        VerdictKind.LATE,
        "11:30:00",
        240,
    ),
    "single-passer-by-is-not-an-opening": (
        observe(("07:35", "07:35", 1)),
        VerdictKind.NOT_OPENED,
        None,
        None,
    ),
    "passer-by-then-late-opening": (
        observe(("07:35", "07:35", 1), ("08:00", "16:30", 2)),
        VerdictKind.LATE,
        "08:00:00",
        30,
    ),
    "passer-by-at-deadline-then-late-opening": (
        observe(("07:45", "07:45", 1), ("08:00", "16:30", 2)),
        VerdictKind.LATE,
        "08:00:00",
        30,
    ),
    "closed-all-day-camera-up": (observe(), VerdictKind.NOT_OPENED, None, None),
    "camera-down-until-0900-then-open": (
        observe(("00:00", "08:55", None), ("09:00", "16:30", 2)),
        VerdictKind.NO_DATA,
        "09:00:00",
        None,
    ),
    "camera-down-at-deadline-then-open": (
        observe(("07:40", "07:50", None), ("07:55", "16:30", 2)),
        VerdictKind.NO_DATA,
        "07:55:00",
        None,
    ),
    "camera-down-all-morning": (
        observe(("00:00", "10:30", None)),
        VerdictKind.NO_DATA,
        None,
        None,
    ),
    "low-coverage-still-closed": (
        observe(("07:00", "09:30", None)),
        VerdictKind.NO_DATA,
        None,
        None,
    ),
    "on-time-proven-despite-poor-coverage": (
        observe(("00:00", "23:59", None), ("07:30", "07:35", 2)),
        VerdictKind.ON_TIME,
        "07:30:00",
        0,
    ),
    "flapping-link-does-not-break-a-run": (
        observe(
            ("07:00", "10:30", None),
            ("07:30", "07:30", 2),
            ("07:40", "07:40", 2),
            ("07:50", "16:30", 2),
        ),
        VerdictKind.ON_TIME,
        "07:30:00",
        0,
    ),
    "flapping-people-count-is-never-an-opening": (
        observe(
            *[
                (f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}", 2)
                for h in range(7, 11)
                for m in (0, 10, 20, 30, 40, 50)
            ]
        ),
        VerdictKind.NOT_OPENED,
        None,
        None,
    ),
    "long-outage-cannot-bridge-a-run": (
        observe(("07:40", "07:40", 2), ("07:45", "08:20", None), ("08:25", "16:30", 2)),
        VerdictKind.NO_DATA,
        "08:25:00",
        None,
    ),
    "closed-early": (
        observe(("07:30", "15:00", 2)),
        VerdictKind.CLOSED_EARLY,
        "07:30:00",
        0,
    ),
    "late-and-closed-early-stays-late": (
        observe(("08:00", "15:00", 2)),
        VerdictKind.LATE,
        "08:00:00",
        30,
    ),
    "one-closed-closing-check-is-not-closed-early": (
        observe(("07:30", "15:00", 2), ("15:30", "15:40", None)),
        VerdictKind.ON_TIME,
        "07:30:00",
        0,
    ),
}


@pytest.mark.parametrize(
    ("checks", "kind", "opened_at", "minutes_late"),
    [pytest.param(*case, id=name) for name, case in SCENARIOS.items()],
)
def test_final_verdict(
    checks: list[CheckResult], kind: VerdictKind, opened_at: str | None, minutes_late: int | None
) -> None:
    verdict = decide(checks)

    assert verdict.kind is kind
    assert verdict.state is VerdictState.FINAL
    assert hhmm(verdict.opened_at) == opened_at
    assert verdict.minutes_late == minutes_late


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("open-at-opening", ReasonCode.OPENED_WITHIN_GRACE),
        ("open-twenty-minutes-after-opening", ReasonCode.OPENED_AFTER_GRACE),
        ("closed-all-day-camera-up", ReasonCode.NOT_SEEN_OPEN),
        ("camera-down-until-0900-then-open", ReasonCode.LOW_COVERAGE),
        ("camera-down-at-deadline-then-open", ReasonCode.DEADLINE_UNOBSERVED),
        ("closed-early", ReasonCode.CLOSED_BEFORE_CLOSING_TIME),
    ],
)
def test_verdict_names_its_reason(name: str, reason: ReasonCode) -> None:
    assert decide(SCENARIOS[name][0]).reason is reason


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_verdict_is_independent_of_check_order_and_duplicate_dead_cameras(name: str) -> None:
    checks = SCENARIOS[name][0]
    expected = decide(checks)
    second_camera_down = [
        CheckResult(c.slot.astimezone(UTC), CheckStatus.NO_DATA, 0, None) for c in checks
    ]

    combined = [*checks, *second_camera_down]
    orders = [combined[::-1], combined[7:] + combined[:7], combined[::2] + combined[1::2]]

    for order in orders:
        assert decide(order) == expected


def test_evidence_points_at_the_opening_checks_and_the_closed_deadline_check() -> None:
    checks = observe(("07:50", "16:30", 2))
    ids = {hhmm(c.slot): c.observation_id for c in checks}

    verdict = decide(checks)

    assert verdict.evidence_observation_ids == (
        ids["07:40:00"],
        ids["07:45:00"],
        ids["07:50:00"],
        ids["07:55:00"],
    )


def test_closed_early_records_when_and_why() -> None:
    checks = observe(("07:30", "13:30", 2))
    ids = {hhmm(c.slot): c.observation_id for c in checks}

    verdict = decide(checks)

    assert verdict.kind is VerdictKind.CLOSED_EARLY
    assert hhmm(verdict.closed_early_at) == "14:30:00"
    assert verdict.evidence_observation_ids == (
        ids["07:30:00"],
        ids["07:35:00"],
        ids["15:30:00"],
        ids["15:40:00"],
        ids["15:50:00"],
    )


def test_occupancy_reports_first_arrival_coverage_and_staffed_share() -> None:
    office_day = OfficeDay(
        date=MONDAY, status=DayStatus.WORKING, hours=DayHours(time(7, 30), time(16, 0), min_staff=2)
    )
    checks = observe(
        ("07:20", "07:25", 1),
        ("07:30", "11:30", 2),
        ("09:00", "09:30", None),
        office_day=office_day,
    )

    verdict = decide(checks, office_day=office_day)

    assert hhmm(verdict.first_arrival) == "07:20:00"
    assert verdict.coverage == pytest.approx(36 / 43)
    # ok checks in [07:30, 16:00): 30 opening + 4 daytime + 3 closing; open: 30 + 11:30.
    assert verdict.staffed_share == pytest.approx(31 / 37)
    assert verdict.kind is VerdictKind.CLOSED_EARLY


@pytest.mark.parametrize(
    ("office_day", "kind"),
    [
        pytest.param(
            resolve_office_day(
                MONDAY, PERPRES_2023_HOURS, [HolidayEntry(MONDAY, "Libur", HolidayKind.LOCAL)]
            ),
            VerdictKind.HOLIDAY,
            id="holiday",
        ),
        pytest.param(
            resolve_office_day(
                MONDAY,
                PERPRES_2023_HOURS,
                [HolidayEntry(MONDAY, "Cuti bersama", HolidayKind.CUTI_BERSAMA)],
            ),
            VerdictKind.HOLIDAY,
            id="cuti-bersama",
        ),
        pytest.param(
            resolve_office_day(date(2026, 11, 28), PERPRES_2023_HOURS, ()),
            VerdictKind.NON_WORKING_DAY,
            id="weekend",
        ),
        pytest.param(
            resolve_office_day(
                MONDAY, PERPRES_2023_HOURS, (), (), [ExcuseSpan(MONDAY, MONDAY, "banjir")]
            ),
            VerdictKind.EXCUSED,
            id="excused",
        ),
    ],
)
def test_closed_days_are_judged_from_the_calendar_alone(
    office_day: OfficeDay, kind: VerdictKind
) -> None:
    verdict = decide(observe(), at("08:00"), office_day=office_day)

    assert verdict.kind is kind
    assert verdict.state is VerdictState.FINAL
    assert verdict.evidence_observation_ids == ()


RAMADAN = SpecialPeriod(date(2026, 2, 19), date(2026, 3, 20), SpecialPeriodKind.RAMADAN_HOURS)
FLEXIBLE = SpecialPeriod(date(2026, 3, 25), date(2026, 3, 27), SpecialPeriodKind.FLEXIBLE_WORK)


@pytest.mark.parametrize(
    ("day", "periods", "kind", "minutes_late", "flexible"),
    [
        pytest.param(date(2026, 3, 2), (RAMADAN,), VerdictKind.ON_TIME, 0, False, id="ramadan"),
        pytest.param(date(2026, 3, 2), (), VerdictKind.LATE, 40, False, id="same-day-no-ramadan"),
        pytest.param(date(2026, 3, 25), (FLEXIBLE,), VerdictKind.LATE, 40, True, id="flexible"),
    ],
)
def test_special_periods_change_the_deadline_or_flag_the_day(
    day: date,
    periods: tuple[SpecialPeriod, ...],
    kind: VerdictKind,
    minutes_late: int,
    flexible: bool,
) -> None:
    office_day = resolve_office_day(day, PERPRES_2023_HOURS, (), periods)
    checks = [
        CheckResult(
            datetime.combine(day, time(7, 0), tzinfo=WITA) + timedelta(minutes=5 * i),
            CheckStatus.OK,
            2 if i >= 14 else 0,  # open from 08:10 WITA
            observation_id=i,
        )
        for i in range(60)
    ]

    verdict = decide(checks, office_day=office_day)

    assert verdict.kind is kind
    assert verdict.minutes_late == minutes_late
    assert verdict.flexible_work is flexible


def test_check_at_2330_utc_counts_for_the_next_wita_date() -> None:
    tuesday = resolve_office_day(date(2026, 11, 24), PERPRES_2023_HOURS, ())
    checks = [
        CheckResult(datetime(2026, 11, 23, 23, 30, tzinfo=UTC), CheckStatus.OK, 2, 1),
        CheckResult(datetime(2026, 11, 23, 23, 35, tzinfo=UTC), CheckStatus.OK, 2, 2),
    ]

    on_tuesday = decide(checks, office_day=tuesday)
    on_monday = decide(checks)

    assert on_tuesday.kind is VerdictKind.ON_TIME
    assert on_tuesday.opened_at == datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert on_monday.kind is VerdictKind.NO_DATA


def up_to(checks: list[CheckResult], now: datetime) -> list[CheckResult]:
    return [c for c in checks if c.slot <= now]


@pytest.mark.parametrize(
    ("segments", "now", "state", "kind", "reason"),
    [
        pytest.param(
            (),
            "07:20",
            VerdictState.AWAITING,
            None,
            ReasonCode.AWAITING_DEADLINE,
            id="before-deadline",
        ),
        pytest.param(
            (),
            "07:45",
            VerdictState.AWAITING,
            None,
            ReasonCode.AWAITING_DEADLINE,
            id="deadline-minute",
        ),
        pytest.param(
            (OPEN_ALL_DAY,),
            "07:36",
            VerdictState.PROVISIONAL,
            VerdictKind.ON_TIME,
            ReasonCode.OPENED_WITHIN_GRACE,
            id="opened-before-deadline",
        ),
        pytest.param(
            (("07:45", "16:30", 2),),
            "07:47",
            VerdictState.AWAITING,
            None,
            ReasonCode.AWAITING_CONFIRMATION,
            id="run-awaits-kth-check",
        ),
        pytest.param(
            (("07:45", "16:30", 2),),
            "07:50",
            VerdictState.PROVISIONAL,
            VerdictKind.ON_TIME,
            ReasonCode.OPENED_WITHIN_GRACE,
            id="run-confirmed",
        ),
        pytest.param(
            (),
            "07:46",
            VerdictState.PROVISIONAL,
            VerdictKind.NOT_OPENED,
            ReasonCode.NOT_SEEN_OPEN,
            id="closed-after-deadline",
        ),
        pytest.param(
            (("07:00", "09:00", None),),
            "07:50",
            VerdictState.PROVISIONAL,
            VerdictKind.NO_DATA,
            ReasonCode.LOW_COVERAGE,
            id="camera-down-after-deadline",
        ),
        pytest.param(
            (("07:50", "16:30", 2),),
            "07:55",
            VerdictState.PROVISIONAL,
            VerdictKind.LATE,
            ReasonCode.OPENED_AFTER_GRACE,
            id="late-provisional",
        ),
        pytest.param(
            (("07:30", "15:00", 2),),
            "15:41",
            VerdictState.PROVISIONAL,
            VerdictKind.CLOSED_EARLY,
            ReasonCode.CLOSED_BEFORE_CLOSING_TIME,
            id="closing-early-provisional",
        ),
        pytest.param(
            (OPEN_ALL_DAY,),
            "16:39",
            VerdictState.PROVISIONAL,
            VerdictKind.ON_TIME,
            ReasonCode.OPENED_WITHIN_GRACE,
            id="last-closing-slot-pending",
        ),
        pytest.param(
            (OPEN_ALL_DAY,),
            "16:40",
            VerdictState.FINAL,
            VerdictKind.ON_TIME,
            ReasonCode.OPENED_WITHIN_GRACE,
            id="final-after-closing-window",
        ),
        pytest.param(
            (),
            "16:40",
            VerdictState.FINAL,
            VerdictKind.NOT_OPENED,
            ReasonCode.NOT_SEEN_OPEN,
            id="final-not-opened",
        ),
    ],
)
def test_provisional_verdicts_during_the_day(
    segments: tuple[Segment, ...],
    now: str,
    state: VerdictState,
    kind: VerdictKind | None,
    reason: ReasonCode,
) -> None:
    checks = observe(*segments)

    verdict = decide(checks, at(now))

    assert (verdict.state, verdict.kind, verdict.reason) == (state, kind, reason)
    assert verdict == decide(up_to(checks, at(now)), at(now))


def test_unconfirmed_run_stops_awaiting_once_the_camera_goes_quiet() -> None:
    checks = observe(("07:45", "07:45", 2), ("07:50", "10:30", None))

    awaiting = decide(checks, at("07:56"))
    stale = decide(checks, at("08:06"))
    final = decide(checks)

    assert awaiting.reason is ReasonCode.AWAITING_CONFIRMATION
    assert (stale.state, stale.kind) == (VerdictState.PROVISIONAL, VerdictKind.NOT_OPENED)
    assert (final.kind, final.reason) == (VerdictKind.NO_DATA, ReasonCode.LOW_COVERAGE)


@pytest.mark.parametrize(
    ("segments", "now", "alert"),
    [
        pytest.param((), "07:40", False, id="before-deadline"),
        pytest.param((), "07:46", True, id="closed-at-deadline"),
        pytest.param((("07:50", "16:30", 2),), "08:00", True, id="late"),
        pytest.param((OPEN_ALL_DAY,), "08:00", False, id="open"),
        pytest.param((("07:00", "09:00", None),), "08:00", False, id="camera-down"),
    ],
)
def test_alert_when_office_not_open_at_deadline(
    segments: tuple[Segment, ...], now: str, alert: bool
) -> None:
    verdict = decide(observe(*segments), at(now))

    assert should_alert_office_not_open(verdict) is alert


@pytest.mark.parametrize(
    ("segments", "now", "outage_start", "alert"),
    [
        pytest.param((("07:00", "10:30", None),), "07:30", "07:00:00", False, id="exactly-30-min"),
        pytest.param((("07:00", "10:30", None),), "07:31", "07:00:00", True, id="over-30-min"),
        pytest.param((("07:00", "07:40", None),), "08:00", None, False, id="recovered"),
        pytest.param((), "08:00", None, False, id="never-down"),
    ],
)
def test_camera_down_alert_after_30_minutes_of_no_data(
    segments: tuple[Segment, ...], now: str, outage_start: str | None, alert: bool
) -> None:
    checks = observe(*segments)

    assert hhmm(find_camera_outage_start(checks, at(now))) == outage_start
    assert should_alert_camera_down(checks, at(now), POLICY) is alert


@pytest.mark.parametrize(
    ("office_day", "segments", "expected"),
    [
        pytest.param(
            OFFICE_DAY,
            (
                ("04:00", "04:00", 1),
                ("07:00", "16:30", 2),
                ("20:00", "20:00", 1),
                ("22:00", "22:00", None),
            ),
            ["04:00:00", "20:00:00"],
            id="working-day-night-and-evening",
        ),
        pytest.param(
            resolve_office_day(MONDAY, PERPRES_2023_HOURS, [HolidayEntry(MONDAY, "Libur")]),
            (("10:00", "11:00", 1),),
            ["10:00:00", "11:00:00"],
            id="holiday-daytime",
        ),
        pytest.param(
            resolve_office_day(
                MONDAY, PERPRES_2023_HOURS, (), (), [ExcuseSpan(MONDAY, MONDAY, "x")]
            ),
            (("10:00", "11:00", 1),),
            [],
            id="excused-day-is-not-a-security-event",
        ),
    ],
)
def test_people_seen_while_the_office_is_closed(
    office_day: OfficeDay, segments: tuple[Segment, ...], expected: list[str]
) -> None:
    checks = observe(*segments, office_day=office_day, policy=SECURITY)

    presence = find_after_hours_presence(office_day, checks, SECURITY, zone=WITA)

    assert [hhmm(c.slot) for c in presence] == expected


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        decide(observe(), datetime(2026, 11, 23, 8, 0))
