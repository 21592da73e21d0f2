"""Fixtures for the report tests: plain rows for the builders, verdicts for the services."""

from datetime import UTC, date, datetime, time

import pytest

from reports.rows import DailyReportMeta, DailyRow, MonthlyOfficeRow, MonthlyReportMeta

STATUSES = [
    "on_time",
    "late",
    "not_opened",
    "no_data",
    "closed_early",
    "holiday",
    "non_working_day",
    "excused",
]


@pytest.fixture(autouse=True)
def _indonesian():
    """Reports speak the deployment language; another test may have left English active."""
    from django.utils import translation

    with translation.override("id"):
        yield


@pytest.fixture
def legend():
    from reports.selectors import status_legend

    return status_legend()


@pytest.fixture
def daily_rows():
    """Two kecamatan; one office per status plus one without a verdict."""
    rows = [
        DailyRow(
            office_code=f"74.71.0{i % 2 + 1}.{1001 + i}",
            kecamatan="Mandonga" if i % 2 else "Kadia",
            kelurahan=f"Kelurahan {i}",
            status=status,
            scheduled_open=time(7, 30) if status not in {"holiday", "non_working_day"} else None,
            opened_at=time(7, 52) if status == "late" else time(7, 35),
            minutes_late=22 if status == "late" else None,
            coverage=0.875,
            complaints=i % 3,
            note="Dikoreksi petugas: listrik padam" if status == "excused" else "",
        )
        for i, status in enumerate(STATUSES)
    ]
    rows.append(DailyRow("74.71.01.1099", "Kadia", "Kelurahan tanpa putusan", None))
    return sorted(rows, key=lambda r: (r.kecamatan, r.office_code))


@pytest.fixture
def daily_meta():
    return DailyReportMeta(
        government="Kota Kendari",
        day=date(2026, 11, 24),
        kind_label="Laporan pagi",
        generated_at=datetime(2026, 11, 24, 10, 30),
        zone="WITA",
    )


def month_of(year, month):
    from reports.selectors import month_days

    return month_days(year, month)


@pytest.fixture
def monthly_meta():
    return MonthlyReportMeta(
        government="Kota Kendari",
        year=2026,
        month=11,
        days=month_of(2026, 11),
        generated_at=datetime(2026, 12, 1, 7, 0),
        zone="WITA",
    )


def office_month(code, kecamatan, pattern, days=30, minutes=0, complaints=0):
    """Statuses cycling through `pattern` (None: no verdict that day)."""
    statuses = tuple(pattern[i % len(pattern)] for i in range(days))
    return MonthlyOfficeRow(code, kecamatan, f"Kelurahan {code}", statuses, minutes, complaints)


@pytest.fixture
def monthly_rows():
    return [
        office_month("74.71.01.1001", "Kadia", ["on_time"], minutes=0, complaints=1),
        office_month("74.71.01.1002", "Kadia", ["on_time", "late"], minutes=150),
        office_month("74.71.02.1003", "Mandonga", ["not_opened", "no_data", None]),
    ]


@pytest.fixture
def reports_root(settings, tmp_path):
    settings.REPORTS_ROOT = tmp_path / "reports"
    return settings.REPORTS_ROOT


def wita(day, hour, minute):
    """An aware instant from a WITA wall-clock time (WITA is UTC+8; computed, not hard-coded)."""
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Asia/Makassar"))


@pytest.fixture
def day_with_verdicts(kendari):
    """Tuesday 24 November 2026: verdicts for the first four offices of Kota Kendari."""
    from compliance.models import DailyVerdict
    from places.models import Office

    day = date(2026, 11, 24)
    offices = list(Office.objects.order_by("kecamatan__name", "name", "code")[:4])
    specs = [
        ("on_time", wita(day, 7, 31), 0.95, None),
        ("late", wita(day, 8, 2), 0.9, 32),
        ("not_opened", None, 0.8, None),
        ("no_data", None, 0.1, None),
    ]
    for office, (status, opened, coverage, late) in zip(offices, specs, strict=True):
        DailyVerdict.objects.create(
            office=office,
            date=day,
            status=status,
            scheduled_open=wita(day, 7, 30).astimezone(UTC),
            opened_at=opened.astimezone(UTC) if opened else None,
            minutes_late=late,
            coverage=coverage,
        )
    return day, offices
