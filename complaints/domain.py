"""Pure complaint rules: checking a complaint against camera checks, and SP4N-LAPOR! deadlines.

No Django, no clock, no IO. Instants are timezone-aware; dates are local office dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from compliance.domain.types import HolidayEntry, WeeklyHours
from compliance.domain.workdays import add_working_days

__all__ = [
    "ANSWER_WORKING_DAYS",
    "AUTO_CLOSE_WORKING_DAYS",
    "AWAITING_ANSWER",
    "AWAITING_FORWARD",
    "FORWARD_WORKING_DAYS",
    "OVERDUE_RULES",
    "VERIFICATION_WINDOW",
    "CameraCheck",
    "DueDates",
    "OverdueFlag",
    "OverdueRule",
    "Verification",
    "VerificationResult",
    "auto_close_due",
    "compute_due_dates",
    "overdue_flags",
    "verify_complaint",
]

VERIFICATION_WINDOW = timedelta(minutes=15)
# SP4N-LAPOR! clock (working days, holidays excluded).
FORWARD_WORKING_DAYS = 3
ANSWER_WORKING_DAYS = 5
AUTO_CLOSE_WORKING_DAYS = 10


class VerificationResult(StrEnum):
    """What the cameras say about a complaint."""

    PENDING = "pending"  # not checked yet
    CORROBORATED = "corroborated"  # the camera saw the office closed or unstaffed
    CONTRADICTED = "contradicted"  # the camera saw the office open and staffed
    UNVERIFIABLE = "unverifiable"  # no usable camera data around the reported time


@dataclass(frozen=True, slots=True)
class CameraCheck:
    """One camera check: ``usable`` is a good frame; ``people`` counts the staff zone."""

    slot: datetime
    usable: bool
    people: int | None
    min_staff: int
    observation_id: int

    @property
    def staffed(self) -> bool:
        return self.people is not None and self.people >= self.min_staff


@dataclass(frozen=True, slots=True)
class Verification:
    result: VerificationResult
    observation_ids: tuple[int, ...]


def verify_complaint(
    reported_at: datetime,
    checks: Iterable[CameraCheck],
    window: timedelta = VERIFICATION_WINDOW,
) -> Verification:
    """Judge a complaint about ``reported_at`` from the checks within ``window`` either side.

    Only usable checks with a people count count. When they all agree, that is the answer
    (unstaffed: corroborated; staffed: contradicted). When they disagree (staff arrived within
    the window), the check nearest the reported time decides; on an exact tie the earlier check
    wins, because it shows what the resident found on arrival. No usable check: unverifiable.
    ``observation_ids`` lists every usable check considered, in slot order. Deterministic.
    """
    if reported_at.tzinfo is None:
        raise ValueError("reported_at must be timezone-aware")
    considered = sorted(
        (
            check
            for check in checks
            if check.usable and check.people is not None and abs(check.slot - reported_at) <= window
        ),
        key=lambda check: (check.slot, check.observation_id),
    )
    if not considered:
        return Verification(VerificationResult.UNVERIFIABLE, ())
    ids = tuple(check.observation_id for check in considered)
    staffed = {check.staffed for check in considered}
    if len(staffed) == 1:
        decisive_staffed = staffed.pop()
    else:
        nearest = min(considered, key=lambda check: (abs(check.slot - reported_at), check.slot))
        decisive_staffed = nearest.staffed
    result = (
        VerificationResult.CONTRADICTED if decisive_staffed else VerificationResult.CORROBORATED
    )
    return Verification(result, ids)


@dataclass(frozen=True, slots=True)
class DueDates:
    forward_due: date
    answer_due: date


def compute_due_dates(
    received_on: date, holidays: Sequence[HolidayEntry], weekly_hours: WeeklyHours
) -> DueDates:
    """Forward within 3 and answer within 5 working days of the (local) receipt date."""
    return DueDates(
        forward_due=add_working_days(received_on, FORWARD_WORKING_DAYS, holidays, weekly_hours),
        answer_due=add_working_days(received_on, ANSWER_WORKING_DAYS, holidays, weekly_hours),
    )


def auto_close_due(
    answered_on: date, holidays: Sequence[HolidayEntry], weekly_hours: WeeklyHours
) -> date:
    """The date an answered complaint closes itself when the citizen does not reply."""
    return add_working_days(answered_on, AUTO_CLOSE_WORKING_DAYS, holidays, weekly_hours)


class OverdueFlag(StrEnum):
    FORWARD = "forward_overdue"
    ANSWER = "answer_overdue"


# The statuses in which a step is still to be done (stored values of ComplaintStatus).
AWAITING_FORWARD = frozenset({"received", "verified"})
AWAITING_ANSWER = frozenset({*AWAITING_FORWARD, "forwarded"})


@dataclass(frozen=True, slots=True)
class OverdueRule:
    """A step is overdue when the complaint still waits for it after its due date (the date
    itself is still in time). `due_field` names the complaint's date field."""

    flag: OverdueFlag
    waiting: frozenset[str]
    due_field: str


# The one statement of "overdue": the pages, the staff filter, the banner and the exports use it.
OVERDUE_RULES = (
    OverdueRule(OverdueFlag.FORWARD, AWAITING_FORWARD, "forward_due"),
    OverdueRule(OverdueFlag.ANSWER, AWAITING_ANSWER, "answer_due"),
)


def overdue_flags(
    status: str, today: date, forward_due: date | None, answer_due: date | None
) -> frozenset[OverdueFlag]:
    """Deadlines passed without the step being done; a step is due *on* its date (inclusive)."""
    dues = {"forward_due": forward_due, "answer_due": answer_due}
    return frozenset(
        rule.flag
        for rule in OVERDUE_RULES
        if status in rule.waiting and (due := dues[rule.due_field]) is not None and today > due
    )
