"""Rows for the reports: local times, overrides, fixed query counts."""

from datetime import UTC, date, datetime, time

import pytest

from compliance.models import DailyVerdict
from places.models import Office
from reports import selectors

pytestmark = pytest.mark.django_db


def test_daily_rows_list_every_office_with_times_in_wita(day_with_verdicts):
    day, offices = day_with_verdicts
    meta, rows = selectors.daily_report(
        day, "Laporan pagi", now=datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    )
    assert len(rows) == Office.objects.filter(active=True).count() == 65
    assert meta.government == "Kota Kendari"
    assert meta.zone == "WITA"
    assert meta.generated_at == datetime(2026, 11, 24, 10, 30)  # naive, WITA
    first, late = rows[0], rows[1]
    assert first.office_code == offices[0].code
    assert (first.status, first.scheduled_open, first.opened_at) == (
        "on_time",
        time(7, 30),
        time(7, 31),
    )
    assert (late.status, late.opened_at, late.minutes_late) == ("late", time(8, 2), 32)
    assert rows[4].status is None  # no verdict yet


def test_an_instant_late_in_the_utc_evening_is_the_next_wita_morning(day_with_verdicts):
    day, offices = day_with_verdicts
    DailyVerdict.objects.filter(office=offices[0], date=day).update(
        opened_at=datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    )
    _meta, rows = selectors.daily_report(day, "")
    assert rows[0].opened_at == time(7, 30)


def test_staff_override_wins_and_is_explained(day_with_verdicts):
    day, offices = day_with_verdicts
    DailyVerdict.objects.filter(office=offices[2], date=day).update(
        override_status="excused", override_reason="Banjir di depan kantor"
    )
    _meta, rows = selectors.daily_report(day, "")
    assert rows[2].status == "excused"
    assert rows[2].note == "Dikoreksi petugas: Banjir di depan kantor"


def test_daily_report_takes_a_fixed_number_of_queries(day_with_verdicts, django_assert_num_queries):
    day, _offices = day_with_verdicts
    # The governments of the heading, then offices, verdicts and complaints (streamed).
    with django_assert_num_queries(4):
        selectors.daily_report(day, "")


def test_complaints_count_zero_until_the_complaints_app_exists(day_with_verdicts):
    day, _offices = day_with_verdicts
    assert selectors.complaint_counts(day, day) == {}
    _meta, rows = selectors.daily_report(day, "")
    assert {row.complaints for row in rows} == {0}


def test_monthly_rows_merge_each_offices_verdicts_into_its_days(
    day_with_verdicts, django_assert_num_queries
):
    _day, offices = day_with_verdicts
    DailyVerdict.objects.create(
        office=offices[1], date=date(2026, 11, 25), status="late", minutes_late=10
    )
    DailyVerdict.objects.create(
        office=offices[1],
        date=date(2026, 11, 26),
        status="late",
        minutes_late=99,
        override_status="on_time",
        override_reason="Jam dinding kamera salah",
    )
    # The governments of the heading, then offices, verdicts and complaints (streamed).
    with django_assert_num_queries(4):
        report = selectors.monthly_report(2026, 11)
        rows = list(report.rows)
    assert len(rows) == 65
    assert len(report.meta.days) == 30
    second = rows[1]
    assert second.office_code == offices[1].code
    assert second.statuses[23:26] == ("late", "late", "on_time")
    assert second.minutes_late_total == 32 + 10  # the overridden day is not late
    assert rows[0].statuses[23] == "on_time"
    assert rows[0].statuses[22] is None
    assert [r.kecamatan for r in rows] == sorted(
        (r.kecamatan for r in rows), key=[r.kecamatan for r in rows].index
    )


def test_inactive_office_with_verdicts_stays_in_that_months_report(day_with_verdicts):
    _day, offices = day_with_verdicts
    Office.objects.filter(pk=offices[0].pk).update(active=False)
    codes = [row.office_code for row in selectors.monthly_report(2026, 11).rows]
    assert offices[0].code in codes
    codes_december = [row.office_code for row in selectors.monthly_report(2026, 12).rows]
    assert offices[0].code not in codes_december


def test_complaints_of_the_day_are_counted_per_office(day_with_verdicts):
    from datetime import date

    from complaints.models import Complaint
    from places.models import Office
    from reports.selectors import complaint_counts

    office = Office.objects.get(code="74.71.01.1005")
    day = date(2026, 11, 24)
    for kind in ("closed", "no_staff"):
        Complaint.objects.create(
            office=office,
            visited_at=datetime(2026, 11, 24, 0, 30, tzinfo=UTC),
            kind=kind,
            description="Kantor masih tutup jam 08.30",
            received_on=day,
            tracking_code=f"TEST{kind[:4].upper()}",
            forward_due=day,
            answer_due=day,
        )
    assert complaint_counts(day, day) == {(office.pk, day): 2}


def test_exports_list_offices_in_the_webs_order(day_with_verdicts, role_users):
    from compliance.selectors import board_for_day

    day, _offices = day_with_verdicts
    board = board_for_day(day, role_users["diskominfo"])
    web = [tile.code for group in board.groups for tile in group.tiles]
    _meta, rows = selectors.daily_report(day, "Laporan pagi")
    assert [row.office_code for row in rows] == web
