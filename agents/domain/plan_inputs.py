"""The plan inputs an agent receives at each contact, as JSON-ready values and back.

The server resolves each coming office day (hours, special periods, holidays, excuses) with its
calendar; the box plans its checks from them with the same pure planner a worker's tick uses.
"""

from dataclasses import fields
from datetime import date, time, timedelta
from typing import Any

from compliance.domain import (
    DEFAULT_CHECK_POLICY,
    CheckPolicy,
    DayHours,
    DayStatus,
    ExcuseSpan,
    HolidayEntry,
    HolidayKind,
    OfficeDay,
)


def policy_to_dict(policy: CheckPolicy) -> dict[str, Any]:
    """Durations in seconds, clock times as HH:MM:SS, the rest as they are."""
    out: dict[str, Any] = {}
    for field in fields(policy):
        value = getattr(policy, field.name)
        if isinstance(value, timedelta):
            out[field.name] = value.total_seconds()
        elif isinstance(value, time):
            out[field.name] = value.isoformat()
        else:
            out[field.name] = value
    return out


def policy_from_dict(data: dict[str, Any]) -> CheckPolicy:
    """The inverse of `policy_to_dict`; unknown keys are ignored, missing ones keep defaults."""
    values: dict[str, Any] = {}
    for field in fields(CheckPolicy):
        if field.name not in data:
            continue
        default = getattr(DEFAULT_CHECK_POLICY, field.name)
        raw = data[field.name]
        if isinstance(default, timedelta):
            values[field.name] = timedelta(seconds=float(raw))
        elif isinstance(default, time):
            values[field.name] = time.fromisoformat(str(raw))
        elif isinstance(default, bool):
            values[field.name] = bool(raw)
        elif isinstance(default, int):
            values[field.name] = int(raw)
        else:
            values[field.name] = float(raw)
    return CheckPolicy(**values)


def office_day_to_dict(day: OfficeDay) -> dict[str, Any]:
    hours = day.hours
    return {
        "date": day.date.isoformat(),
        "status": day.status.value,
        "hours": None
        if hours is None
        else {
            "open": hours.open.isoformat(),
            "close": hours.close.isoformat(),
            "grace_minutes": hours.grace_minutes,
            "min_staff": hours.min_staff,
        },
        "flexible_work": day.flexible_work,
        "ramadan": day.ramadan,
        "holiday": None
        if day.holiday is None
        else {
            "date": day.holiday.date.isoformat(),
            "name": day.holiday.name,
            "kind": day.holiday.kind.value,
        },
        "excuse": None
        if day.excuse is None
        else {
            "date_from": day.excuse.date_from.isoformat(),
            "date_to": day.excuse.date_to.isoformat(),
            "reason": day.excuse.reason,
        },
    }


def office_day_from_dict(data: dict[str, Any]) -> OfficeDay:
    hours = data.get("hours")
    holiday = data.get("holiday")
    excuse = data.get("excuse")
    return OfficeDay(
        date=date.fromisoformat(data["date"]),
        status=DayStatus(data["status"]),
        hours=None
        if hours is None
        else DayHours(
            open=time.fromisoformat(hours["open"]),
            close=time.fromisoformat(hours["close"]),
            grace_minutes=int(hours["grace_minutes"]),
            min_staff=int(hours["min_staff"]),
        ),
        flexible_work=bool(data.get("flexible_work", False)),
        ramadan=bool(data.get("ramadan", False)),
        holiday=None
        if holiday is None
        else HolidayEntry(
            date=date.fromisoformat(holiday["date"]),
            name=holiday["name"],
            kind=HolidayKind(holiday["kind"]),
        ),
        excuse=None
        if excuse is None
        else ExcuseSpan(
            date_from=date.fromisoformat(excuse["date_from"]),
            date_to=date.fromisoformat(excuse["date_to"]),
            reason=excuse["reason"],
        ),
    )
