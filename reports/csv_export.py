"""CSV versions of the report tables, as lines, so a large month can stream to a response.

UTF-8 with a byte-order mark (spreadsheet programs then read the Indonesian text correctly),
comma separated, times as ``HH:MM`` in the zone named in the header, percentages as whole
numbers (no decimal separator to confuse an Indonesian-locale spreadsheet).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

from reports.rows import (
    JUDGED_STATUSES,
    TOTAL_STATUSES,
    DailyReportMeta,
    DailyRow,
    MonthlyOfficeRow,
    MonthlyReportMeta,
    StatusLegend,
    count_statuses,
    on_time_share,
)

__all__ = ["daily_csv_lines", "monthly_csv_lines", "write_lines"]

BOM = "\ufeff"


class _Line:
    """A write-only 'file' that hands back what csv.writer wrote."""

    def write(self, text: str) -> str:
        return text


def _lines(records: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    for index, record in enumerate(records):
        line = writer.writerow(record)
        yield BOM + line if index == 0 else line


def _percent(share: float | None) -> str:
    return "" if share is None else str(round(share * 100))


def daily_csv_lines(
    rows: Iterable[DailyRow], meta: DailyReportMeta, legend: StatusLegend
) -> Iterator[str]:
    """The office table of the daily report, one CSV line at a time."""
    header = [
        _("No."),
        _("Kode wilayah"),
        _("Kecamatan"),
        _("Kelurahan"),
        _("Jadwal buka (%(zone)s)") % {"zone": meta.zone},
        _("Buka pada (%(zone)s)") % {"zone": meta.zone},
        _("Terlambat (menit)"),
        _("Status"),
        _("Cakupan data (%)"),
        _("Pengaduan"),
        _("Keterangan"),
    ]

    def records() -> Iterator[list[Any]]:
        yield header
        for number, row in enumerate(rows, start=1):
            yield [
                number,
                row.office_code,
                row.kecamatan,
                row.kelurahan,
                row.scheduled_open.strftime("%H:%M") if row.scheduled_open else "",
                row.opened_at.strftime("%H:%M") if row.opened_at else "",
                "" if row.minutes_late is None else row.minutes_late,
                legend.label(row.status),
                _percent(row.coverage),
                row.complaints,
                row.note,
            ]

    return _lines(records())


def monthly_csv_lines(
    rows: Iterable[MonthlyOfficeRow], meta: MonthlyReportMeta, legend: StatusLegend
) -> Iterator[str]:
    """The office-by-day table of the monthly recap with its per-office totals."""
    header = [_("No."), _("Kode wilayah"), _("Kecamatan"), _("Kelurahan")]
    header += [day.isoformat() for day in meta.days]
    header += [legend.label(code) for code in TOTAL_STATUSES]
    header += [_("Hari dinilai"), _("% tepat waktu"), _("Total menit terlambat"), _("Pengaduan")]

    def records() -> Iterator[list[Any]]:
        yield header
        for number, row in enumerate(rows, start=1):
            counts = count_statuses(row.statuses)
            yield [
                number,
                row.office_code,
                row.kecamatan,
                row.kelurahan,
                *(legend.label(s) if s else "" for s in row.statuses),
                *(counts.get(code, 0) for code in TOTAL_STATUSES),
                sum(counts.get(code, 0) for code in JUDGED_STATUSES),
                _percent(on_time_share(counts)),
                row.minutes_late_total,
                row.complaints,
            ]

    return _lines(records())


def write_lines(lines: Iterable[str], out: IO[str]) -> None:
    """Write CSV lines to a text file opened with ``newline=""`` and UTF-8 encoding."""
    for line in lines:
        out.write(line)
