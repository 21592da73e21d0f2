"""Read queries behind the reports: ORM rows in, plain report rows (reports.rows) out.

A fixed number of queries whatever the number of offices: offices (one query, with kecamatan and
government joined), verdicts (one query, streamed with ``.iterator()`` for a month) and the
complaint counts (one provider). Instants are converted to the office's own government zone here,
so the builders only ever see naive local times.
"""

from __future__ import annotations

import calendar
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
from places.models import Office
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

_VERDICT_CHUNK = 5000


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


def _heading(offices: list[Office]) -> tuple[str, str, ZoneInfo]:
    """Government name, zone label and report zone of a set of offices."""
    governments = {o.kecamatan.local_government_id: o.kecamatan.local_government for o in offices}
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


def _note(verdict: DailyVerdict, reasons: Mapping[str, str]) -> str:
    if verdict.override_status:
        return _("Dikoreksi petugas: %(reason)s") % {"reason": verdict.override_reason}
    return reasons.get(verdict.reason, "")


def daily_report(
    day: date,
    kind_label: str,
    now: datetime | None = None,
    government_code: str | None = None,
) -> tuple[DailyReportMeta, list[DailyRow]]:
    """Rows of the daily report for the local date ``day`` (two queries plus complaints).

    Times are wall-clock times in each office's government zone; ``now`` (aware, default the
    clock) is printed as the generation time.
    """
    offices = list(_offices(day, day, government_code))
    verdicts = {
        v.office_id: v
        for v in DailyVerdict.objects.filter(
            date=day, office__in=_offices(day, day, government_code).values("pk")
        )
    }
    complaints = complaint_counts(day, day)
    government, zone_text, report_zone = _heading(offices)
    reasons = _reason_notes()
    rows = []
    for office in offices:
        zone = ZoneInfo(office.kecamatan.local_government.time_zone)
        verdict = verdicts.get(office.pk)
        complaints_today = complaints.get((office.pk, day), 0)
        if verdict is None:
            rows.append(
                DailyRow(
                    office.code,
                    office.kecamatan.name,
                    office.name,
                    None,
                    complaints=complaints_today,
                )
            )
            continue
        scheduled = _local_time(verdict.scheduled_open, zone)
        opened = _local_time(verdict.opened_at, zone)
        rows.append(
            DailyRow(
                office_code=office.code,
                kecamatan=office.kecamatan.name,
                kelurahan=office.name,
                status=verdict.effective_status,
                scheduled_open=scheduled.time() if scheduled else None,
                opened_at=opened.time() if opened else None,
                minutes_late=verdict.minutes_late,
                coverage=verdict.coverage,
                complaints=complaints_today,
                note=_note(verdict, reasons),
            )
        )
    generated = timezone.localtime(now or timezone.now(), report_zone).replace(tzinfo=None)
    meta = DailyReportMeta(government, day, kind_label, generated, zone_text)
    return meta, rows


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
    """The office-by-day statuses of a month, grouped by kecamatan (three queries in all).

    Offices load at once; verdicts stream in office order with ``.iterator()`` and are merged
    into one row per office, so memory stays at one office's month plus the office list.
    """
    days = month_days(year, month)
    first, last = days[0], days[-1]
    offices = list(_offices(first, last, government_code))
    government, zone_text, report_zone = _heading(offices)
    generated = timezone.localtime(now or timezone.now(), report_zone).replace(tzinfo=None)
    meta = MonthlyReportMeta(government, year, month, days, generated, zone_text)
    return MonthlyReport(meta, _monthly_rows(offices, first, last, government_code))


def _monthly_rows(
    offices: list[Office], first: date, last: date, government_code: str | None
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
    pending = next(verdicts, None)
    for office in offices:
        statuses: list[str | None] = [None] * n_days
        minutes = 0
        while pending is not None and pending[0] == office.pk:
            _office_id, day, status, override, late_by = pending
            effective = override or status
            statuses[(day - first).days] = effective
            if effective == LATE and late_by:
                minutes += late_by
            pending = next(verdicts, None)
        yield MonthlyOfficeRow(
            office_code=office.code,
            kecamatan=office.kecamatan.name,
            kelurahan=office.name,
            statuses=tuple(statuses),
            minutes_late_total=minutes,
            complaints=complaints_per_office.get(office.pk, 0),
        )
    # QuerySet.iterator() returns a generator; the stub declares only Iterator.
    verdicts.close()  # type: ignore[attr-defined]


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
