"""Report services: build workbooks and CSV from the selectors, store them, e-mail them.

Storing is idempotent: one Report row per (government, kind, date), its file written to a
temporary name and moved over the old one, so a rebuild replaces the report and never adds a
second. E-mailing is claimed with a conditional UPDATE on ``emailed_at``: a duplicate task
delivery sends nothing.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from compliance import domain
from places.calendar import load_calendars
from places.models import LocalGovernment, Office
from places.vocabulary import email_list
from reports import csv_export, excel, selectors
from reports.models import Report
from reports.rows import NOT_OPENED, DailyRow, count_statuses, on_time_share

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# The task and the brief speak of "pagi"/"sore"; the table stores the English codes.
_DAILY_KINDS = {
    "pagi": Report.Kind.MORNING,
    "morning": Report.Kind.MORNING,
    "sore": Report.Kind.END_OF_DAY,
    "end_of_day": Report.Kind.END_OF_DAY,
}


def parse_daily_kind(kind: str) -> Report.Kind:
    """``"pagi"``/``"morning"`` or ``"sore"``/``"end_of_day"`` → the Report kind."""
    try:
        return _DAILY_KINDS[kind.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown daily report kind: {kind!r}") from None


# --- File names -----------------------------------------------------------------------------


def daily_filename(day: date, ext: str, kind: str | None = None) -> str:
    """``laporan-harian-2026-11-24.xlsx``; stored reports add ``-pagi``/``-sore``."""
    suffixes: dict[str, str] = {Report.Kind.MORNING: "-pagi", Report.Kind.END_OF_DAY: "-sore"}
    suffix = suffixes.get(kind or "", "")
    return f"laporan-harian-{day.isoformat()}{suffix}.{ext}"


def monthly_filename(year: int, month: int, ext: str) -> str:
    """``rekap-bulanan-2026-11.xlsx``."""
    return f"rekap-bulanan-{year:04d}-{month:02d}.{ext}"


# --- Building -------------------------------------------------------------------------------


def _daily_kind_label(kind: str | None) -> str:
    if kind == Report.Kind.MORNING:
        return _("Laporan pagi")
    if kind == Report.Kind.END_OF_DAY:
        return _("Laporan sore (setelah jam tutup)")
    return _("Laporan harian")


def daily_xlsx(
    day: date,
    kind: str | None = None,
    now: datetime | None = None,
    government_code: str | None = None,
) -> bytes:
    """The daily workbook for the local date ``day`` as bytes."""
    buffer = io.BytesIO()
    write_daily_xlsx(day, buffer, kind, now, government_code)
    return buffer.getvalue()


# The headline is counted in a pass before the table streams; a verdict written between the two
# passes makes them differ, and the workbook is written again (never a headline that disagrees
# with its own table, unless verdicts keep changing this fast).
_DAILY_ATTEMPTS = 3


def write_daily_xlsx(
    day: date,
    out: IO[bytes],
    kind: str | None = None,
    now: datetime | None = None,
    government_code: str | None = None,
) -> None:
    """Stream the daily workbook for ``day`` to ``out`` (a seekable binary file), one office at
    a time: the status counts of its headline first, then the table."""
    label = _daily_kind_label(kind)
    overdue = selectors.overdue_complaint_rows(day, government_code)
    legend = selectors.status_legend()
    for _attempt in range(_DAILY_ATTEMPTS):
        _meta, counting = selectors.daily_report_rows(day, label, now, government_code)
        headline = count_statuses(row.status for row in counting)
        meta, rows = selectors.daily_report_rows(day, label, now, government_code)
        out.seek(0)
        out.truncate()
        if excel.write_daily_workbook(rows, headline, meta, legend, out, overdue) == headline:
            return
        logger.info("verdicts of %s changed while its daily workbook was written: again", day)


def daily_csv_lines(
    day: date, now: datetime | None = None, government_code: str | None = None
) -> Iterator[str]:
    meta, rows = selectors.daily_report_rows(day, _daily_kind_label(None), now, government_code)
    return csv_export.daily_csv_lines(rows, meta, selectors.status_legend())


def write_monthly_xlsx(
    year: int,
    month: int,
    out: str | IO[bytes],
    now: datetime | None = None,
    government_code: str | None = None,
) -> None:
    """Stream the monthly recap workbook to ``out`` (a path or a seekable binary file)."""
    report = selectors.monthly_report(year, month, now, government_code)
    excel.write_monthly_workbook(report.rows, report.meta, selectors.status_legend(), out)


def monthly_csv_lines(
    year: int, month: int, now: datetime | None = None, government_code: str | None = None
) -> Iterator[str]:
    report = selectors.monthly_report(year, month, now, government_code)
    return csv_export.monthly_csv_lines(report.rows, report.meta, selectors.status_legend())


# --- Storing --------------------------------------------------------------------------------


def report_path(report: Report) -> Path:
    """Absolute path of a stored report; refuses anything outside REPORTS_ROOT."""
    root = Path(settings.REPORTS_ROOT).resolve()
    path = (root / report.file_path).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"report file outside REPORTS_ROOT: {report.file_path!r}")
    return path


def reporting_governments() -> list[LocalGovernment]:
    """Governments with at least one active office: each gets its own reports."""
    return list(
        LocalGovernment.objects.filter(kecamatan__offices__active=True).distinct().order_by("code")
    )


def _government_or_sole(government: LocalGovernment | None) -> LocalGovernment:
    """`government`, or the deployment's only reporting government; several need a choice."""
    if government is not None:
        return government
    governments = reporting_governments()
    if len(governments) != 1:
        raise ValueError(
            f"{len(governments)} local governments have offices: name the one to report on"
        )
    return governments[0]


def _store(
    government: LocalGovernment,
    kind: str,
    day: date,
    relative: str,
    write: Callable[[IO[bytes]], object],
) -> Report:
    """Write a report file atomically (temp file + rename) and upsert its row."""
    root = Path(settings.REPORTS_ROOT)
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    report, _created = Report.objects.update_or_create(
        local_government=government,
        kind=kind,
        date=day,
        defaults={"file_path": relative, "size_bytes": target.stat().st_size},
    )
    return report


def build_daily_report(
    day: date,
    kind: str,
    now: datetime | None = None,
    government: LocalGovernment | None = None,
) -> Report:
    """Build and store one government's morning ("pagi") or end-of-day ("sore") report of
    local date ``day`` (``government`` may be omitted when the deployment has only one).

    Idempotent: the file at ``harian/<code>/<year>/laporan-harian-<date>-<pagi|sore>.xlsx`` and
    the Report row for (government, kind, date) are replaced, never duplicated. E-mail state
    is kept.
    """
    report_kind = parse_daily_kind(kind)
    government = _government_or_sole(government)
    relative = f"harian/{government.code}/{day:%Y}/{daily_filename(day, 'xlsx', report_kind)}"
    with translation.override(settings.LANGUAGE_CODE):
        return _store(
            government,
            report_kind,
            day,
            relative,
            lambda out: write_daily_xlsx(day, out, report_kind, now, government.code),
        )


def build_monthly_report(
    year: int,
    month: int,
    now: datetime | None = None,
    government: LocalGovernment | None = None,
) -> Report:
    """Build and store one government's monthly recap; one row per month (dated the 1st),
    replaced on rerun."""
    government = _government_or_sole(government)
    relative = f"bulanan/{government.code}/{monthly_filename(year, month, 'xlsx')}"
    with translation.override(settings.LANGUAGE_CODE):
        return _store(
            government,
            Report.Kind.MONTHLY,
            date(year, month, 1),
            relative,
            lambda out: write_monthly_xlsx(year, month, out, now, government.code),
        )


# --- Sending --------------------------------------------------------------------------------


def _daily_body(report: Report, rows: list[DailyRow]) -> str:
    legend = selectors.status_legend()
    counts = count_statuses(row.status for row in rows)
    share = on_time_share(counts)
    lines = [
        _("Yth. Bapak/Ibu,"),
        "",
        _("Terlampir %(report)s kepatuhan jam buka kantor kelurahan, %(day)s.")
        % {
            "report": report.get_kind_display().lower(),
            "day": date_format(report.date, "l, j F Y"),
        },
        "",
    ]
    lines += [
        f"- {entry.label}: {counts.get(entry.code, 0)}"
        for entry in legend.entries
        if counts.get(entry.code)
    ]
    if share is not None:
        lines.append("")
        lines.append(
            _("Persentase tepat waktu: %(percent)d%% dari kantor yang dinilai.")
            % {"percent": round(share * 100)}
        )
    not_opened = [f"{row.kelurahan} ({row.kecamatan})" for row in rows if row.status == NOT_OPENED]
    if not_opened:
        lines += ["", _("Kantor yang tidak buka:"), *(f"- {name}" for name in not_opened)]
    lines += ["", _("Pesan ini dikirim otomatis oleh kelurahan-monitor.")]
    return "\n".join(lines)


def _monthly_body(report: Report) -> str:
    return "\n".join(
        [
            _("Yth. Bapak/Ibu,"),
            "",
            _("Terlampir rekap bulanan kepatuhan jam buka kantor kelurahan, %(month)s.")
            % {"month": date_format(report.date, "F Y")},
            "",
            _("Pesan ini dikirim otomatis oleh kelurahan-monitor."),
        ]
    )


def _report_message(report: Report, to: list[str]) -> EmailMessage:
    if report.kind == Report.Kind.MONTHLY:
        subject = _("Rekap bulanan kepatuhan jam buka kantor kelurahan — %(month)s") % {
            "month": date_format(report.date, "F Y")
        }
        body = _monthly_body(report)
    else:
        subject = _("%(report)s kepatuhan jam buka kantor kelurahan — %(day)s") % {
            "report": report.get_kind_display(),
            "day": date_format(report.date, "l, j F Y"),
        }
        code = report.local_government.code if report.local_government is not None else None
        _meta, rows = selectors.daily_report(report.date, "", government_code=code)
        body = _daily_body(report, rows)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    message.attach(report.filename, report_path(report).read_bytes(), XLSX_CONTENT_TYPE)
    return message


def report_recipients(report_id: int) -> list[str]:
    """The government's own report addresses, else the deployment's REPORT_RECIPIENTS."""
    own = (
        Report.objects.filter(pk=report_id)
        .values_list("local_government__report_emails", flat=True)
        .first()
    )
    addresses = email_list(own)
    return addresses or list(settings.REPORT_RECIPIENTS)


def send_report(
    report_id: int,
    recipients: list[str] | None = None,
    *,
    resend: bool = False,
) -> bool:
    """E-mail a stored report with its workbook attached; True when a message went out.

    Sends once per report: the conditional UPDATE on ``emailed_at`` lets only one caller
    through (``resend=True`` sends again). Without recipients (REPORT_RECIPIENTS empty) nothing
    is sent. When sending fails the claim is released so a retry can send.
    """
    to = list(recipients if recipients is not None else report_recipients(report_id))
    if not to:
        return False
    claimed_at = timezone.now()
    claim = Report.objects.filter(pk=report_id)
    if not resend:
        claim = claim.filter(emailed_at__isnull=True)
    if claim.update(emailed_at=claimed_at, recipients=to) != 1:
        return False
    report = Report.objects.get(pk=report_id)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            message = _report_message(report, to)
        message.send()
    except BaseException:
        Report.objects.filter(pk=report_id, emailed_at=claimed_at).update(emailed_at=None)
        raise
    logger.info("report %s e-mailed to %d recipients", report, len(to))
    return True


# --- Scheduled entry points -------------------------------------------------------------------


def is_city_working_day(day: date, government: LocalGovernment | None = None) -> bool:
    """True when at least one active office (of ``government``, if given) has working hours on
    ``day`` (holidays close all)."""
    offices_query = Office.objects.filter(active=True).select_related("kecamatan__local_government")
    if government is not None:
        offices_query = offices_query.filter(kecamatan__local_government=government)
    offices = list(offices_query)
    if not offices:
        return False
    calendars = load_calendars(offices, day, day)
    return any(
        calendars.office_day(office, day).status is domain.DayStatus.WORKING for office in offices
    )


def build_and_send_daily_report(
    kind: str, day: date | None = None, now: datetime | None = None, *, resend: bool = False
) -> list[Report]:
    """The scheduled daily report of every government whose offices work on ``day``: build,
    store and send each; governments on a day off get none.

    ``day`` defaults to today in the deployment zone. Safe to run twice: the second run
    replaces the stored reports and sends no second e-mail (unless ``resend``).
    """
    day = day or timezone.localdate(now)
    reports = []
    for government in reporting_governments():
        if not is_city_working_day(day, government):
            logger.info("no office of %s works on %s: no %s report", government, day, kind)
            continue
        report = build_daily_report(day, kind, now, government)
        send_report(report.pk, resend=resend)
        report.refresh_from_db()
        reports.append(report)
    return reports


def build_and_send_monthly_report(
    year: int | None = None, month: int | None = None, now: datetime | None = None
) -> list[Report]:
    """Every government's monthly recap of ``year``/``month`` (default: last month), stored and
    e-mailed once."""
    if year is None or month is None:
        previous = timezone.localdate(now).replace(day=1) - timedelta(days=1)
        year, month = previous.year, previous.month
    reports = []
    for government in reporting_governments():
        report = build_monthly_report(year, month, now, government)
        send_report(report.pk)
        report.refresh_from_db()
        reports.append(report)
    return reports
