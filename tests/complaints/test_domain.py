"""Pure complaint rules: no database (pytest-django would block any query)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaints.domain import (
    CameraCheck,
    OverdueFlag,
    VerificationResult,
    auto_close_due,
    compute_due_dates,
    overdue_flags,
    verify_complaint,
)
from compliance.domain import PERPRES_2023_HOURS, HolidayEntry, HolidayKind

WITA = ZoneInfo("Asia/Makassar")
VISIT = datetime(2026, 11, 24, 8, 30, tzinfo=WITA)
C = VerificationResult.CORROBORATED
X = VerificationResult.CONTRADICTED
U = VerificationResult.UNVERIFIABLE


def check(minutes: int, people: int | None, usable: bool = True, min_staff: int = 1, oid: int = 0):
    return CameraCheck(
        slot=VISIT + timedelta(minutes=minutes),
        usable=usable,
        people=people,
        min_staff=min_staff,
        observation_id=oid or 100 + minutes,
    )


@pytest.mark.parametrize(
    ("checks", "result", "ids"),
    [
        pytest.param([], U, (), id="no-camera-data"),
        pytest.param([check(-5, 0)], C, (95,), id="closed-at-visit"),
        pytest.param([check(0, 2)], X, (100,), id="staffed-at-visit"),
        pytest.param([check(-15, 0), check(15, 0)], C, (85, 115), id="window-edges-inclusive"),
        pytest.param([check(-16, 0), check(16, 3)], U, (), id="outside-window-ignored"),
        pytest.param([check(-5, None, usable=False)], U, (), id="camera-fault-only"),
        pytest.param([check(-5, 3, usable=False), check(5, 0)], C, (105,), id="fault-skipped"),
        pytest.param([check(0, 1, min_staff=2)], C, (100,), id="below-min-staff-is-unstaffed"),
        pytest.param([check(-10, 0), check(2, 2)], X, (90, 102), id="disagree-nearest-staffed"),
        pytest.param([check(-2, 0), check(10, 2)], C, (98, 110), id="disagree-nearest-unstaffed"),
        pytest.param([check(-5, 0), check(5, 2)], C, (95, 105), id="tie-earlier-wins"),
        pytest.param([check(0, None)], U, (), id="usable-without-count"),
    ],
)
def test_verify_complaint_table(checks, result, ids):
    outcome = verify_complaint(VISIT, checks)
    assert outcome.result is result
    assert outcome.observation_ids == ids


def test_verify_complaint_compares_instants_across_zones():
    # 00:25 UTC is 08:25 WITA: within the window of an 08:30 WITA visit.
    utc_check = CameraCheck(datetime(2026, 11, 24, 0, 25, tzinfo=UTC), True, 0, 1, 7)
    assert verify_complaint(VISIT, [utc_check]).result is C


def test_verify_complaint_rejects_naive_time():
    with pytest.raises(ValueError, match="aware"):
        verify_complaint(datetime(2026, 11, 24, 8, 30), [])


HOLIDAYS = [
    HolidayEntry(date(2026, 12, 24), "Cuti bersama Natal", HolidayKind.CUTI_BERSAMA),
    HolidayEntry(date(2026, 12, 25), "Natal", HolidayKind.NATIONAL),
]


@pytest.mark.parametrize(
    ("received", "forward", "answer"),
    [
        pytest.param(date(2026, 11, 24), date(2026, 11, 27), date(2026, 12, 1), id="tuesday"),
        pytest.param(date(2026, 11, 27), date(2026, 12, 2), date(2026, 12, 4), id="friday"),
        pytest.param(date(2026, 11, 28), date(2026, 12, 2), date(2026, 12, 4), id="saturday"),
        pytest.param(date(2026, 12, 22), date(2026, 12, 29), date(2026, 12, 31), id="christmas"),
    ],
)
def test_due_dates_skip_weekends_and_holidays(received, forward, answer):
    due = compute_due_dates(received, HOLIDAYS, PERPRES_2023_HOURS)
    assert (due.forward_due, due.answer_due) == (forward, answer)


def test_auto_close_is_ten_working_days_after_the_answer():
    assert auto_close_due(date(2026, 12, 21), HOLIDAYS, PERPRES_2023_HOURS) == date(2027, 1, 6)


@pytest.mark.parametrize(
    ("status", "today", "flags"),
    [
        pytest.param("received", date(2026, 11, 27), set(), id="forward-due-today-not-late"),
        pytest.param("received", date(2026, 11, 30), {OverdueFlag.FORWARD}, id="not-forwarded"),
        pytest.param("verified", date(2026, 12, 2), {OverdueFlag.FORWARD, OverdueFlag.ANSWER}),
        pytest.param("forwarded", date(2026, 11, 30), set(), id="forwarded-in-time"),
        pytest.param("forwarded", date(2026, 12, 2), {OverdueFlag.ANSWER}, id="not-answered"),
        pytest.param("answered", date(2026, 12, 30), set(), id="answered"),
        pytest.param("closed", date(2026, 12, 30), set(), id="closed"),
    ],
)
def test_overdue_flags(status, today, flags):
    assert overdue_flags(status, today, date(2026, 11, 27), date(2026, 12, 1)) == flags


def test_complaint_domain_imports_no_framework():
    import ast
    from pathlib import Path

    import complaints.domain as module

    tree = ast.parse(Path(module.__file__).read_text())
    roots = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not roots & {"django", "cv2", "celery", "mediapipe"}
