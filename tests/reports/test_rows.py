"""The report period rules, as plain functions (no database)."""

from datetime import date

import pytest

from reports.rows import ReportPeriodError, parse_report_day, parse_report_month

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("value", "reason"),
    [("2026-02-30", "impossible"), ("2026-13-01", "impossible"), ("2026-12-05", "future")],
)
def test_a_day_without_a_report_is_refused_with_its_reason(value, reason):
    with pytest.raises(ReportPeriodError) as refused:
        parse_report_day(value, TODAY)
    assert refused.value.reason == reason


def test_today_and_past_days_have_reports():
    assert parse_report_day("2026-12-04", TODAY) == TODAY
    assert parse_report_day("2024-02-29", TODAY) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("value", "reason"),
    [("2026-13", "impossible"), ("2026-00", "impossible"), ("2027-01", "future")],
)
def test_a_month_without_a_recap_is_refused_with_its_reason(value, reason):
    with pytest.raises(ReportPeriodError) as refused:
        parse_report_month(value, TODAY)
    assert refused.value.reason == reason


def test_the_current_month_so_far_has_a_recap():
    assert parse_report_month("2026-12", TODAY) == (2026, 12)
