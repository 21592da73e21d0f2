"""Read queries behind the reports: ORM rows in, plain report rows (reports.rows) out.

A fixed number of queries whatever the number of offices: offices (one query, with kecamatan and
government joined), verdicts (one query, streamed with ``.iterator()`` for a month) and the
complaint counts (one provider). Instants are converted to the office's own government zone here,
so the builders only ever see naive local times.
"""

from __future__ import annotations

import calendar
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from complaints.models import Complaint
from complaints.selectors import overdue_complaints
from compliance.models import DailyVerdict, VerdictStatus
from places.models import LocalGovernment, Office
from reports.rows import (
    LATE,
    DailyReportMeta,
    DailyRow,
    MonthlyOfficeRow,
    MonthlyReportMeta,
    OverdueComplaintRow,
    StatusEntry,
    StatusLegend,
    zone_label,
)

__all__ = [
    "MonthlyReport",
    "complaint_counts",
    "daily_report",
    "monthly_report",
    "status_legend",
]

# Rows fetched at a time from a streamed query: the memory of an export is a chunk of rows
# (offices, or a day's verdicts: one per office; a month's verdicts: 30 per office).
_VERDICT_CHUNK = 5000
_OFFICE_CHUNK = 500


def status_legend() -> StatusLegend:
    """Statuses in model order with their (translated) labels and matrix abbreviations."""
    abbreviations = {
        VerdictStatus.ON_TIME: pgettext("singkatan status", "TW"),
        VerdictStatus.LATE: pgettext("singkatan status", "TL"),
        VerdictStatus.NOT_OPENED: pgettext("singkatan status", "TB"),
        VerdictStatus.NO_DATA: pgettext("singkatan status", "TD"),
        VerdictStatus.CLOSED_EARLY: pgettext("singkatan status", "TA"),
        VerdictStatus.HOLIDAY: pgettext("singkatan status", "LB"),
        VerdictStatus.NON_WORKING_DAY: pgettext("singkatan status", "BK"),
        VerdictStatus.EXCUSED: pgettext("singkatan status", "DK"),
    }
    return StatusLegend(
        tuple(
            StatusEntry(status.value, str(status.label), abbreviations[status])
            for status in VerdictStatus
        ),
        missing_label=_("Belum dinilai"),
    )


def complaint_counts(first: date, last: date) -> Mapping[tuple[int, date], int]:
    """Complaints received per (office id, local receipt date) in [first, last]: one query."""
    rows = (
        Complaint.objects.filter(received_on__range=(first, last))
        .values("office_id", "received_on")
        .annotate(n=Count("id"))
    )
    return {(row["office_id"], row["received_on"]): row["n"] for row in rows}


WEB_OFFICE_ORDER = ("kecamatan__name", "name", "code")


def _offices(first: date, last: date, government_code: str | None) -> QuerySet[Office]:
    """Active offices, plus inactive ones that still have verdicts in the range."""
    with_verdicts = DailyVerdict.objects.filter(date__range=(first, last)).values("office_id")
    offices = Office.objects.filter(Q(active=True) | Q(pk__in=with_verdicts))
    if government_code:
        offices = offices.filter(kecamatan__local_government__code=government_code)
    # The web's order (board, week, month): kecamatan name, then kelurahan name.
    return offices.select_related("kecamatan__local_government").order_by(*WEB_OFFICE_ORDER)


def _heading_of(governments: Mapping[int, LocalGovernment]) -> tuple[str, str, ZoneInfo]:
    """Government name, zone label and report zone of the offices of these governments."""
    zones = sorted({g.time_zone for g in governments.values()})
    if len(governments) == 1:
        name = str(next(iter(governments.values())))
    elif governments:
        name = ", ".join(sorted(str(g) for g in governments.values()))
    else:
        name = _("Semua pemerintah daerah")
    if len(zones) > 1:
        return name, _("waktu setempat"), ZoneInfo(settings.TIME_ZONE)
    key = zones[0] if zones else settings.TIME_ZONE
    return name, zone_label(key), ZoneInfo(key)


def _local_time(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    return instant.astimezone(zone).replace(tzinfo=None) if instant else None


def _reason_notes() -> dict[str, str]:
    """Explanations worth a line in the report (the status label already says the rest)."""
    return {
        "opening_window_low_coverage": _("Kamera jarang berhasil diperiksa saat jam buka"),
        "deadline_unobserved": _("Kamera tidak memeriksa saat batas waktu buka"),
        "closed_before_closing_time": _("Kantor kosong sebelum jam tutup"),
    }


def _note(
    override_status: str, override_reason: str, reason: str, reasons: Mapping[str, str]
) -> str:
    if override_status:
        return _("Dikoreksi petugas: %(reason)s") % {"reason": override_reason}
    return reasons.get(reason, "")


def daily_report(
    day: date,
    kind_label: str,
    now: datetime | None = None,
    government_code: str | None = None,
) -> tuple[DailyReportMeta, list[DailyRow]]:
    """Rows of the daily report for the local date ``day`` (four queries, see
    `daily_report_rows`), as a list."""
    meta, rows = daily_report_rows(day, kind_label, now, government_code)
    return meta, list(rows)


def daily_report_rows(
    day: date,
    kind_label: str,
    now: datetime | None = None,
    government_code: str | None = None,
) -> tuple[DailyReportMeta, Iterator[DailyRow]]:
    """The daily report's heading and its rows as they stream from the database (the
    heading's governments, then offices, verdicts and complaints: four queries), so a CSV of
    5,000 offices holds one office at a time.

    Times are wall-clock times in each office's government zone; ``now`` (aware, default the
    clock) is printed as the generation time.
    """
    government, zone_text, report_zone = _heading_of(_governments_of(day, day, government_code))
    generated = timezone.localtime(now or timezone.now(), report_zone).replace(tzinfo=None)
    meta = DailyReportMeta(government, day, kind_label, generated, zone_text)
    return meta, _daily_rows(day, government_code)


def _governments_of(
    first: date, last: date, government_code: str | None
) -> dict[int, LocalGovernment]:
    """The governments of the offices a report of [first, last] lists (one query)."""
    in_report = _offices(first, last, government_code).order_by()
    governments = LocalGovernment.objects.filter(
        pk__in=in_report.values("kecamatan__local_government_id")
    )
    return {row.pk: row for row in governments}


def _daily_rows(day: date, government_code: str | None) -> Iterator[DailyRow]:
    complaints = complaint_counts(day, day)
    reasons = _reason_notes()
    verdicts = (
        DailyVerdict.objects.filter(
            date=day, office__in=_offices(day, day, government_code).values("pk")
        )
        .order_by(*(f"office__{key}" for key in WEB_OFFICE_ORDER))
        .values_list(
            "office_id",
            "status",
            "override_status",
            "override_reason",
            "reason",
            "scheduled_open",
            "opened_at",
            "minutes_late",
            "coverage",
        )
        .iterator(chunk_size=_OFFICE_CHUNK)
    )
    offices = (
        _offices(day, day, government_code)
        .values_list(
            "pk", "code", "kecamatan__name", "name", "kecamatan__local_government__time_zone"
        )
        .iterator(chunk_size=_OFFICE_CHUNK)
    )
    pending = next(verdicts, None)
    for office_id, code, kecamatan, kelurahan, zone_name in offices:
        complaints_today = complaints.get((office_id, day), 0)
        if pending is None or pending[0] != office_id:
            yield DailyRow(code, kecamatan, kelurahan, None, complaints=complaints_today)
            continue
        _id, status, override, override_reason, reason, scheduled_at, opened_at, late, coverage = (
            pending
        )
        pending = next(verdicts, None)
        zone = ZoneInfo(zone_name)
        scheduled = _local_time(scheduled_at, zone)
        opened = _local_time(opened_at, zone)
        yield DailyRow(
            office_code=code,
            kecamatan=kecamatan,
            kelurahan=kelurahan,
            status=override or status,
            scheduled_open=scheduled.time() if scheduled else None,
            opened_at=opened.time() if opened else None,
            minutes_late=late,
            coverage=coverage,
            complaints=complaints_today,
            note=_note(override, override_reason, reason, reasons),
        )
    # QuerySet.iterator() returns a generator; the stub declares only Iterator.
    verdicts.close()  # type: ignore[attr-defined]
    offices.close()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class MonthlyReport:
    """Header facts plus office rows that stream from the database once."""

    meta: MonthlyReportMeta
    rows: Iterator[MonthlyOfficeRow]


def month_days(year: int, month: int) -> tuple[date, ...]:
    first = date(year, month, 1)
    return tuple(first + timedelta(days=i) for i in range(calendar.monthrange(year, month)[1]))


def monthly_report(
    year: int,
    month: int,
    now: datetime | None = None,
    government_code: str | None = None,
) -> MonthlyReport:
    """The office-by-day statuses of a month, grouped by kecamatan (four queries in all).

    The heading reads the offices' governments (one row each); offices and verdicts then
    stream together in office order with ``.iterator()`` and are merged into one row per
    office, so memory stays at one office's month whatever the number of offices.
    """
    days = month_days(year, month)
    first, last = days[0], days[-1]
    government, zone_text, report_zone = _heading_of(_governments_of(first, last, government_code))
    generated = timezone.localtime(now or timezone.now(), report_zone).replace(tzinfo=None)
    meta = MonthlyReportMeta(government, year, month, days, generated, zone_text)
    return MonthlyReport(meta, _monthly_rows(first, last, government_code))


def _monthly_rows(
    first: date, last: date, government_code: str | None
) -> Iterator[MonthlyOfficeRow]:
    n_days = (last - first).days + 1
    complaints = complaint_counts(first, last)
    complaints_per_office: dict[int, int] = {}
    for (office_id, _day), count in complaints.items():
        complaints_per_office[office_id] = complaints_per_office.get(office_id, 0) + count
    verdicts = (
        DailyVerdict.objects.filter(
            date__range=(first, last),
            office__in=_offices(first, last, government_code).values("pk"),
        )
        .order_by(*(f"office__{key}" for key in WEB_OFFICE_ORDER), "date")
        .values_list("office_id", "date", "status", "override_status", "minutes_late")
        .iterator(chunk_size=_VERDICT_CHUNK)
    )
    offices = (
        _offices(first, last, government_code)
        .values_list("pk", "code", "kecamatan__name", "name")
        .iterator(chunk_size=_OFFICE_CHUNK)
    )
    pending = next(verdicts, None)
    for office_id, office_code, kecamatan, kelurahan in offices:
        statuses: list[str | None] = [None] * n_days
        minutes = 0
        while pending is not None and pending[0] == office_id:
            _office_id, day, status, override, late_by = pending
            # One shared string per status: the per-kecamatan day totals keep statuses as keys
            # and would otherwise hold a fresh copy from each fetched row.
            effective = sys.intern(override or status)
            statuses[(day - first).days] = effective
            if effective == LATE and late_by:
                minutes += late_by
            pending = next(verdicts, None)
        yield MonthlyOfficeRow(
            office_code=office_code,
            kecamatan=kecamatan,
            kelurahan=kelurahan,
            statuses=tuple(statuses),
            minutes_late_total=minutes,
            complaints=complaints_per_office.get(office_id, 0),
        )
    # QuerySet.iterator() returns a generator; the stub declares only Iterator.
    verdicts.close()  # type: ignore[attr-defined]
    offices.close()  # type: ignore[attr-defined]


def overdue_complaint_rows(
    day: date, government_code: str | None = None
) -> list[OverdueComplaintRow]:
    """Complaints past a deadline on `day`, oldest deadline first (one query)."""
    complaints = overdue_complaints(today=day)
    if government_code is not None:
        complaints = complaints.filter(office__kecamatan__local_government__code=government_code)
    rows = []
    for complaint in complaints:
        late_forward = complaint.status in ("received", "verified") and complaint.forward_due < day
        due = complaint.forward_due if late_forward else complaint.answer_due
        rows.append(
            OverdueComplaintRow(
                tracking_code=complaint.tracking_code,
                kecamatan=complaint.office.kecamatan.name,
                kelurahan=complaint.office.name,
                received_on=complaint.received_on,
                status_label=str(complaint.get_status_display()),
                missed_deadline=str(_("diteruskan") if late_forward else _("dijawab")),
                due=due,
                days_late=(day - due).days,
            )
        )
    return rows
