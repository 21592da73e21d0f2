"""Workbook builders over plain rows (reports.rows); no ORM, no clock.

Every time written into a cell is a naive local ``datetime.time``/``datetime`` (openpyxl refuses
aware values) and the column header names the zone. Both workbooks are written in openpyxl's
write-only mode so that a province's offices stream to the file instead of living in memory;
their styles are copied from prototype cells because styling each streamed cell from scratch
costs more than writing it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from os import PathLike
from typing import IO, Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.rows import (
    CLOSED_EARLY,
    EXCUSED,
    HOLIDAY,
    JUDGED_STATUSES,
    LATE,
    NO_DATA,
    NON_WORKING_DAY,
    NOT_OPENED,
    ON_TIME,
    TOTAL_STATUSES,
    DailyReportMeta,
    DailyRow,
    KecamatanTotals,
    MonthlyOfficeRow,
    MonthlyReportMeta,
    OverdueComplaintRow,
    StatusLegend,
    count_statuses,
    on_time_share,
)

__all__ = [
    "DAILY_HEADER_ROW",
    "MONTHLY_HEADER_ROW",
    "STATUS_COLOURS",
    "write_daily_workbook",
    "write_monthly_workbook",
]

# (fill, font) per status: traffic-light colours a reader understands without the legend.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    ON_TIME: ("C6EFCE", "006100"),
    LATE: ("FFEB9C", "9C5700"),
    NOT_OPENED: ("FFC7CE", "9C0006"),
    NO_DATA: ("D9D9D9", "404040"),
    CLOSED_EARLY: ("F8CBAD", "843C0C"),
    HOLIDAY: ("D6DCE4", "333F4F"),
    NON_WORKING_DAY: ("D6DCE4", "333F4F"),
    EXCUSED: ("E4DFEC", "5B2C6F"),
}

HEADER_FILL = "1F4E78"
TITLE_COLOUR = "1F4E78"
TIME_FORMAT = "HH:MM"
PERCENT_FORMAT = "0%"
INTEGER_FORMAT = "0"

DAILY_HEADER_ROW = 5
SUMMARY_HEADER_ROW = 4
MONTHLY_HEADER_ROW = 5
# The monthly recap prints on A4 landscape two pages wide: days 1-31 and the totals would be
# unreadably small on one page; the office columns repeat on each page.
MONTHLY_PAGES_WIDE = 2

_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class _Look:
    """A cell style; applied to regular cells, or once to a write-only prototype."""

    font: Font | None = None
    fill: PatternFill | None = None
    alignment: Alignment | None = None
    border: Border | None = _BORDER
    number_format: str = "General"

    def apply(self, cell: Any) -> Any:
        if self.font is not None:
            cell.font = self.font
        if self.fill is not None:
            cell.fill = self.fill
        if self.alignment is not None:
            cell.alignment = self.alignment
        if self.border is not None:
            cell.border = self.border
        cell.number_format = self.number_format
        return cell


def _solid(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


_TITLE = _Look(font=Font(bold=True, size=14, color=TITLE_COLOUR), border=None)
_SUBTITLE = _Look(font=Font(size=11, color="404040"), border=None)
_HEADLINE = _Look(font=Font(bold=True, size=11), border=None)
_NOTE = _Look(font=Font(italic=True, size=9, color="595959"), border=None)
_HEADER = _Look(
    font=Font(bold=True, color="FFFFFF"),
    fill=_solid(HEADER_FILL),
    alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
)
_TEXT = _Look(alignment=Alignment(vertical="center"))
_CENTER = _Look(alignment=Alignment(horizontal="center", vertical="center"))
_TIME = _Look(alignment=Alignment(horizontal="center"), number_format=TIME_FORMAT)
_INTEGER = _Look(alignment=Alignment(horizontal="center"), number_format=INTEGER_FORMAT)
_PERCENT = _Look(alignment=Alignment(horizontal="center"), number_format=PERCENT_FORMAT)
_DATE = _Look(alignment=Alignment(horizontal="center"), number_format="DD-MM-YYYY")
_TOTAL_TEXT = _Look(font=Font(bold=True), fill=_solid("DDEBF7"))
_TOTAL_INTEGER = _Look(
    font=Font(bold=True),
    fill=_solid("DDEBF7"),
    alignment=Alignment(horizontal="center"),
    number_format=INTEGER_FORMAT,
)
_TOTAL_PERCENT = _Look(
    font=Font(bold=True),
    fill=_solid("DDEBF7"),
    alignment=Alignment(horizontal="center"),
    number_format=PERCENT_FORMAT,
)
_SMALL_CENTER = _Look(font=Font(size=9, color="595959"), alignment=Alignment(horizontal="center"))


def _status_look(code: str | None, *, bold: bool = False) -> _Look:
    fill, font = STATUS_COLOURS.get(code or "", ("FFFFFF", "808080"))
    return _Look(
        font=Font(color=font, bold=bold),
        fill=_solid(fill),
        alignment=Alignment(horizontal="center", vertical="center"),
    )


def _status_header_look(code: str) -> _Look:
    fill, font = STATUS_COLOURS[code]
    return _Look(
        font=Font(bold=True, color=font),
        fill=_solid(fill),
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
    )


def _long_date(day: Any) -> str:
    """Weekday and month names in the active language, e.g. "Selasa, 24 November 2026"."""
    return date_format(day, "l, j F Y")


def _print_setup(ws: Any, header_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"


# --- Daily report -------------------------------------------------------------------------------


def _daily_headline(counts: Mapping[str, int], legend: StatusLegend) -> str:
    """One line for the reader in a hurry: counts per status and the on-time percentage."""
    parts = [
        f"{legend.label(e.code)} {counts[e.code]}" for e in legend.entries if counts.get(e.code)
    ]
    share = on_time_share(counts)
    if share is not None:
        parts.append(
            _("%(percent)d%% tepat waktu dari kantor yang dinilai")
            % {"percent": round(share * 100)}
        )
    return " · ".join(parts) if parts else _("Belum ada putusan untuk hari ini.")


def _daily_headers(zone: str) -> list[tuple[str, float]]:
    return [
        (_("No."), 5),
        (_("Kode wilayah"), 15),
        (_("Kecamatan"), 18),
        (_("Kelurahan"), 24),
        (_("Jadwal buka (%(zone)s)") % {"zone": zone}, 12),
        (_("Buka pada (%(zone)s)") % {"zone": zone}, 12),
        (_("Terlambat (menit)"), 11),
        (_("Status"), 18),
        (_("Cakupan data"), 10),
        (_("Pengaduan"), 11),
        (_("Keterangan"), 42),
    ]


@dataclass
class _DailyGroup:
    """Running counts of one kecamatan (or the whole report) as the office rows stream by."""

    name: str
    offices: int = 0
    complaints: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, row: DailyRow) -> None:
        self.offices += 1
        self.complaints += row.complaints
        if row.status:  # an office without a verdict yet has no status to count
            self.counts[row.status] += 1


def write_daily_workbook(
    rows: Iterable[DailyRow],
    headline_counts: Mapping[str, int],
    meta: DailyReportMeta,
    legend: StatusLegend,
    out: str | PathLike[str] | IO[bytes],
    overdue: Sequence[OverdueComplaintRow] = (),
) -> dict[str, int]:
    """Stream the daily report to ``out``: one row per office, then a summary per kecamatan.

    Sheet 1 holds the office table (header on row ``DAILY_HEADER_ROW``, frozen, filtered) under
    a headline of ``headline_counts`` (status counts of the same rows: the headline sits above
    the table, so it is counted before the rows stream); sheet 2 counts the table per
    kecamatan. Every figure is a value, not a formula, so a viewer that does not recalculate
    shows it. Written in write-only mode: memory stays flat whatever the number of offices.
    ``rows`` is consumed once and may be a generator; returns the status counts of the rows
    written, for the caller to compare with the headline.
    """
    wb = Workbook(write_only=True)
    wb.properties.title = _("Laporan harian kepatuhan jam buka kantor kelurahan")
    wb.properties.creator = "kelurahan-monitor"
    ws = wb.create_sheet(_("Harian"))
    stamp = _Stamp(ws)
    headers = _daily_headers(meta.zone)
    for column, (_title, width) in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.row_dimensions[DAILY_HEADER_ROW].height = 32
    ws.freeze_panes = f"A{DAILY_HEADER_ROW + 1}"
    _print_setup(ws, DAILY_HEADER_ROW)
    title = _("Laporan Kepatuhan Jam Buka Kantor Kelurahan — %(government)s") % {
        "government": meta.government
    }
    generated = _("Dibuat %(when)s %(zone)s · sumber: kamera CCTV kantor (jumlah orang)") % {
        "when": meta.generated_at.strftime("%d-%m-%Y %H:%M"),
        "zone": meta.zone,
    }
    ws.append([stamp(title, _TITLE)])
    ws.append([stamp(f"{meta.kind_label} · {_long_date(meta.day)}", _SUBTITLE)])
    ws.append([stamp(_daily_headline(headline_counts, legend), _HEADLINE)])
    ws.append([stamp(generated, _NOTE)])
    ws.append([stamp(title, _HEADER) for title, _width in headers])

    status_looks = {code: _status_look(code) for code in [*STATUS_COLOURS, None]}
    everything = _DailyGroup(_("Jumlah"))
    kecamatan: dict[str, _DailyGroup] = {}
    for number, item in enumerate(rows, start=1):
        everything.add(item)
        kecamatan.setdefault(item.kecamatan, _DailyGroup(item.kecamatan)).add(item)
        ws.append(
            [
                stamp(number, _CENTER),
                stamp(item.office_code, _TEXT),
                stamp(item.kecamatan, _TEXT),
                stamp(item.kelurahan, _TEXT),
                stamp(item.scheduled_open, _TIME),
                stamp(item.opened_at, _TIME),
                stamp(item.minutes_late, _INTEGER),
                stamp(legend.label(item.status), status_looks.get(item.status, _CENTER)),
                stamp(item.coverage, _PERCENT),
                stamp(item.complaints, _INTEGER),
                stamp(item.note, _TEXT),
            ]
        )
    last = DAILY_HEADER_ROW + max(everything.offices, 1)
    ws.auto_filter.ref = f"A{DAILY_HEADER_ROW}:{get_column_letter(len(headers))}{last}"

    _daily_summary_sheet(
        wb.create_sheet(_("Ringkasan")), kecamatan.values(), everything, meta, legend
    )
    _overdue_complaints_sheet(wb.create_sheet(_("Pengaduan lewat tenggat")), overdue)
    wb.save(out)
    return dict(everything.counts)


def _overdue_complaints_sheet(ws: Any, overdue: Sequence[OverdueComplaintRow]) -> None:
    """Open citizen complaints past their SP4N-LAPOR! deadline (never any contact data)."""
    stamp = _Stamp(ws)
    headers = [
        (_("Kode lacak"), 14),
        (_("Kecamatan"), 18),
        (_("Kelurahan"), 22),
        (_("Diterima"), 12),
        (_("Status"), 16),
        (_("Terlambat untuk"), 16),
        (_("Tenggat"), 12),
        (_("Hari lewat"), 11),
    ]
    header_row = 3
    for column, (_title, width) in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    _print_setup(ws, header_row)
    ws.append([stamp(_("Pengaduan warga yang melewati tenggat SP4N-LAPOR!"), _TITLE)])
    ws.append([])
    ws.append([stamp(title, _HEADER) for title, _width in headers])
    for item in overdue:
        ws.append(
            [
                stamp(item.tracking_code, _TEXT),
                stamp(item.kecamatan, _TEXT),
                stamp(item.kelurahan, _TEXT),
                stamp(item.received_on, _DATE),
                stamp(item.status_label, _TEXT),
                stamp(item.missed_deadline, _TEXT),
                stamp(item.due, _DATE),
                stamp(item.days_late, _INTEGER),
            ]
        )
    if not overdue:
        ws.append([stamp(_("Tidak ada pengaduan yang lewat tenggat."), _NOTE)])
    last = header_row + max(len(overdue), 1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{last}"


def _daily_summary_sheet(
    ws: Any,
    kecamatan: Iterable[_DailyGroup],
    everything: _DailyGroup,
    meta: DailyReportMeta,
    legend: StatusLegend,
) -> None:
    """Counts per kecamatan, written as values: every viewer shows them, including those that
    never recalculate (phone and mail previews, scripts reading cached values)."""
    stamp = _Stamp(ws)
    statuses = [entry.code for entry in legend.entries]
    ws.column_dimensions["A"].width = 22
    for column in range(2, len(statuses) + 5):
        ws.column_dimensions[get_column_letter(column)].width = 12
    ws.row_dimensions[SUMMARY_HEADER_ROW].height = 32
    ws.freeze_panes = f"B{SUMMARY_HEADER_ROW + 1}"
    _print_setup(ws, SUMMARY_HEADER_ROW)
    ws.append(
        [
            stamp(
                _("Ringkasan per kecamatan — %(government)s") % {"government": meta.government},
                _TITLE,
            )
        ]
    )
    ws.append([stamp(f"{meta.kind_label} · {_long_date(meta.day)}", _SUBTITLE)])
    ws.append([])
    ws.append(
        [
            stamp(_("Kecamatan"), _HEADER),
            stamp(_("Jumlah kantor"), _HEADER),
            *(stamp(legend.label(code), _status_header_look(code)) for code in statuses),
            stamp(_("% tepat waktu"), _HEADER),
            stamp(_("Pengaduan"), _HEADER),
        ]
    )

    def counts_row(group: _DailyGroup, total: bool) -> list[Any]:
        text, integer, percent = (
            (_TOTAL_TEXT, _TOTAL_INTEGER, _TOTAL_PERCENT) if total else (_TEXT, _INTEGER, _PERCENT)
        )
        return [
            stamp(group.name, text),
            stamp(group.offices, integer),
            *(stamp(group.counts.get(code, 0), integer) for code in statuses),
            stamp(on_time_share(group.counts), percent),
            stamp(group.complaints, integer),
        ]

    for group in kecamatan:
        ws.append(counts_row(group, total=False))
    ws.append(counts_row(everything, total=True))
    ws.append([])
    notes = [
        _("Semua waktu dalam %(zone)s.") % {"zone": meta.zone},
        _(
            "% tepat waktu = tepat waktu ÷ (tepat waktu + terlambat + tidak buka + tutup lebih "
            "awal); hari tanpa data kamera, libur dan dikecualikan tidak dinilai."
        ),
        _("Cakupan data = bagian pemeriksaan kamera yang berhasil pada jendela buka kantor."),
    ]
    for note in notes:
        ws.append([stamp(note, _NOTE)])


# --- Monthly recap (write-only) -----------------------------------------------------------------


class _Stamp:
    """Makes styled write-only cells by copying a prototype's style array."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        # Keyed by identity: hashing a style object is slower than writing the cell.
        self._prototypes: dict[int, tuple[_Look, WriteOnlyCell]] = {}

    def __call__(self, value: Any, look: _Look) -> WriteOnlyCell:
        known = self._prototypes.get(id(look))
        if known is None:
            known = (look, look.apply(WriteOnlyCell(self.ws)))
            self._prototypes[id(look)] = known
        cell = WriteOnlyCell(self.ws, value)
        cell._style = copy(known[1]._style)
        return cell


def _total_headers() -> list[str]:
    return [_("Hari dinilai"), _("% tepat waktu"), _("Total menit terlambat"), _("Pengaduan")]


def _weekday_short(day: Any) -> str:
    return date_format(day, "D")


@dataclass(frozen=True)
class _MonthlyColumns:
    """Where each block of the monthly recap sits (1-based column numbers)."""

    n_days: int
    first_day: int = 4  # after No., Kecamatan, Kelurahan

    @property
    def last_day(self) -> int:
        return self.first_day + self.n_days - 1

    def total(self, code: str) -> int:
        return self.last_day + 1 + TOTAL_STATUSES.index(code)

    @property
    def judged(self) -> int:
        return self.last_day + len(TOTAL_STATUSES) + 1

    @property
    def minutes(self) -> int:
        return self.judged + 2

    @property
    def complaints(self) -> int:
        return self.judged + 3

    @property
    def last(self) -> int:
        return self.complaints


def write_monthly_workbook(
    rows: Iterable[MonthlyOfficeRow],
    meta: MonthlyReportMeta,
    legend: StatusLegend,
    out: str | PathLike[str] | IO[bytes],
) -> list[KecamatanTotals]:
    """Stream the monthly recap to ``out`` (a path or a binary file) and return its totals.

    Sheet 1: office-by-day matrix (status abbreviations on status colours), then the totals and
    the on-time percentage per office, a block per kecamatan and the city total. Sheet 2: the
    chart data and two charts. Every figure is a computed value, so viewers that never
    recalculate show it. ``rows`` is consumed once and may be a generator; rows must arrive
    grouped by kecamatan.
    """
    wb = Workbook(write_only=True)
    wb.properties.title = _("Rekap bulanan kepatuhan jam buka kantor kelurahan")
    wb.properties.creator = "kelurahan-monitor"
    ws = wb.create_sheet(_("Rekap bulanan"))
    stamp = _Stamp(ws)
    columns = _MonthlyColumns(len(meta.days))

    _monthly_sheet_setup(ws, columns)
    _monthly_heading(ws, stamp, meta, legend)
    kecamatan = _monthly_office_rows(ws, stamp, rows, legend)
    last_row = MONTHLY_HEADER_ROW + max(sum(t.offices for t in kecamatan.values()), 1)
    _monthly_kecamatan_rows(ws, stamp, kecamatan.values(), columns)
    city = _city_totals(kecamatan.values(), columns.n_days)
    _monthly_city_row(ws, stamp, city, meta, columns)
    _monthly_note(ws, stamp, meta)
    ws.auto_filter.ref = f"A{MONTHLY_HEADER_ROW}:{get_column_letter(columns.last)}{last_row}"

    all_totals = list(kecamatan.values())
    _chart_sheet(wb, all_totals, city, meta, legend)
    wb.save(out)
    return all_totals


def _monthly_sheet_setup(ws: Any, columns: _MonthlyColumns) -> None:
    """Widths, frozen panes and printing: A4 landscape, two pages wide, the day header rows and
    the office columns repeated on every page. Set before any row (write-only sheets write their
    views and properties with the sheet's top)."""
    widths = {1: 5, 2: 18, 3: 22}
    widths |= {c: 5 for c in range(columns.first_day, columns.last_day + 1)}
    widths |= {c: 10 for c in range(columns.last_day + 1, columns.last + 1)}
    widths[columns.minutes] = 11
    widths[columns.complaints] = 11
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = f"{get_column_letter(columns.first_day)}{MONTHLY_HEADER_ROW + 1}"
    _print_setup(ws, MONTHLY_HEADER_ROW)
    ws.page_setup.fitToWidth = MONTHLY_PAGES_WIDE
    ws.print_title_rows = f"{MONTHLY_HEADER_ROW - 1}:{MONTHLY_HEADER_ROW}"
    ws.print_title_cols = "A:C"
    ws.row_dimensions[MONTHLY_HEADER_ROW].height = 45  # wrapped total headers


def _monthly_heading(ws: Any, stamp: _Stamp, meta: MonthlyReportMeta, legend: StatusLegend) -> None:
    """Title, subtitle, legend, the weekday row and the header row (row MONTHLY_HEADER_ROW)."""
    month_name = date_format(meta.days[0], "F Y")
    title = _("Rekap Bulanan Kepatuhan Jam Buka Kantor Kelurahan — %(government)s") % {
        "government": meta.government
    }
    subtitle = _("%(month)s · dibuat %(when)s %(zone)s") % {
        "month": month_name,
        "when": meta.generated_at.strftime("%d-%m-%Y %H:%M"),
        "zone": meta.zone,
    }
    key = _("Keterangan: ") + " · ".join(f"{e.abbreviation} = {e.label}" for e in legend.entries)
    ws.append([stamp(title, _TITLE)])
    ws.append([stamp(subtitle, _SUBTITLE)])
    ws.append([stamp(key, _NOTE)])
    ws.append([None, None, None, *(stamp(_weekday_short(d), _SMALL_CENTER) for d in meta.days)])
    header: list[Any] = [
        stamp(_("No."), _HEADER),
        stamp(_("Kecamatan"), _HEADER),
        stamp(_("Kelurahan"), _HEADER),
    ]
    header += [stamp(day.day, _HEADER) for day in meta.days]
    header += [stamp(legend.label(code), _status_header_look(code)) for code in TOTAL_STATUSES]
    header += [stamp(title, _HEADER) for title in _total_headers()]
    ws.append(header)


def _totals_cells(
    stamp: _Stamp, counts: dict[str, int], minutes: int, complaints: int, *, total: bool
) -> list[WriteOnlyCell]:
    """Count per status, days judged, on-time share, minutes late and complaints, as values."""
    integer, percent = (_TOTAL_INTEGER, _TOTAL_PERCENT) if total else (_INTEGER, _PERCENT)
    cells = [stamp(counts.get(code, 0), integer) for code in TOTAL_STATUSES]
    cells.append(stamp(sum(counts.get(code, 0) for code in JUDGED_STATUSES), integer))
    cells.append(stamp(on_time_share(counts), percent))
    cells += [stamp(minutes, integer), stamp(complaints, integer)]
    return cells


def _monthly_office_rows(
    ws: Any, stamp: _Stamp, rows: Iterable[MonthlyOfficeRow], legend: StatusLegend
) -> dict[str, KecamatanTotals]:
    """One row per office; returns the running totals per kecamatan (in order of appearance)."""
    status_looks = {code: _status_look(code) for code in STATUS_COLOURS}
    blank_day = _Look(alignment=Alignment(horizontal="center"))
    abbreviations = {code: legend.abbreviation(code) for code in STATUS_COLOURS}
    kecamatan: dict[str, KecamatanTotals] = {}
    for number, office in enumerate(rows, start=1):
        kecamatan.setdefault(office.kecamatan, KecamatanTotals(office.kecamatan)).add(office)
        cells: list[Any] = [
            stamp(number, _CENTER),
            stamp(office.kecamatan, _TEXT),
            stamp(office.kelurahan, _TEXT),
        ]
        for status in office.statuses:
            if status in status_looks:
                cells.append(stamp(abbreviations[status], status_looks[status]))
            else:
                cells.append(stamp(None, blank_day))
        cells += _totals_cells(
            stamp,
            count_statuses(office.statuses),
            office.minutes_late_total,
            office.complaints,
            total=False,
        )
        ws.append(cells)
    return kecamatan


def _monthly_kecamatan_rows(
    ws: Any, stamp: _Stamp, kecamatan: Iterable[KecamatanTotals], columns: _MonthlyColumns
) -> None:
    """A block per kecamatan; its day cells show that day's on-time share."""
    ws.append([])
    ws.append([None, stamp(_("Rekap per kecamatan"), _Look(font=Font(bold=True), border=None))])
    for totals in kecamatan:
        cells: list[Any] = [
            None,
            stamp(totals.name, _TOTAL_TEXT),
            stamp(_("%(n)d kantor") % {"n": totals.offices}, _TOTAL_TEXT),
        ]
        cells += [stamp(totals.day_share(i), _PERCENT) for i in range(columns.n_days)]
        cells += _totals_cells(
            stamp, totals.counts, totals.minutes_late_total, totals.complaints, total=True
        )
        ws.append(cells)


def _monthly_city_row(
    ws: Any,
    stamp: _Stamp,
    city: KecamatanTotals,
    meta: MonthlyReportMeta,
    columns: _MonthlyColumns,
) -> None:
    cells: list[Any] = [
        None,
        stamp(meta.government, _TOTAL_TEXT),
        stamp(_("%(n)d kantor") % {"n": city.offices}, _TOTAL_TEXT),
    ]
    cells += [stamp(city.day_share(i), _TOTAL_PERCENT) for i in range(columns.n_days)]
    cells += _totals_cells(stamp, city.counts, city.minutes_late_total, city.complaints, total=True)
    ws.append(cells)


def _monthly_note(ws: Any, stamp: _Stamp, meta: MonthlyReportMeta) -> None:
    note = _(
        "Semua waktu dalam %(zone)s. %% tepat waktu = tepat waktu ÷ hari dinilai "
        "(tepat waktu, terlambat, tidak buka, tutup lebih awal); sel hari per "
        "kecamatan: %% kantor yang tepat waktu hari itu."
    ) % {"zone": meta.zone}
    ws.append([])
    ws.append([None, stamp(note, _NOTE)])


def _city_totals(kecamatan: Iterable[KecamatanTotals], n_days: int) -> KecamatanTotals:
    city = KecamatanTotals("")
    city.day_counts = [{} for _ in range(n_days)]
    for totals in kecamatan:
        city.offices += totals.offices
        for code, count in totals.counts.items():
            city.counts[code] = city.counts.get(code, 0) + count
        for index, day in enumerate(totals.day_counts):
            for code, count in day.items():
                city.day_counts[index][code] = city.day_counts[index].get(code, 0) + count
        city.minutes_late_total += totals.minutes_late_total
        city.complaints += totals.complaints
    return city


def _chart_sheet(
    wb: Workbook,
    kecamatan: Sequence[KecamatanTotals],
    city: KecamatanTotals,
    meta: MonthlyReportMeta,
    legend: StatusLegend,
) -> None:
    """Values (not formulas) feed the charts, so they draw even where nothing recalculates."""
    ws = wb.create_sheet(_("Grafik"))
    stamp = _Stamp(ws)
    month = date_format(meta.days[0], "F Y")
    _chart_sheet_setup(ws)
    ws.append([stamp(_("Grafik kepatuhan — %(month)s") % {"month": month}, _TITLE)])
    ws.append([])
    _chart_tables(ws, stamp, kecamatan, city, meta, legend)
    bar = _kecamatan_bar_chart(ws, len(kecamatan), month)
    ws.add_chart(bar, "J3")
    ws.add_chart(_daily_line_chart(ws, len(meta.days), month), f"J{int(bar.height * 2) + 6}")


CHART_FIRST_ROW = 4  # first data row of the chart tables (header on row 3)


def _chart_sheet_setup(ws: Any) -> None:
    """Tables and both charts on one landscape page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    widths = {"A": 22, "B": 13, "C": 3, "D": 10, "E": 13, "F": 3, "G": 8, "H": 20}
    for column, width in widths.items():
        ws.column_dimensions[column].width = width


def _chart_tables(
    ws: Any,
    stamp: _Stamp,
    kecamatan: Sequence[KecamatanTotals],
    city: KecamatanTotals,
    meta: MonthlyReportMeta,
    legend: StatusLegend,
) -> None:
    """Side by side: share per kecamatan (A:B), share per day (D:E), the legend (G:H)."""
    ws.append(
        [
            stamp(_("Kecamatan"), _HEADER),
            stamp(_("% tepat waktu"), _HEADER),
            None,
            stamp(_("Tanggal"), _HEADER),
            stamp(_("% tepat waktu"), _HEADER),
            None,
            stamp(_("Kode"), _HEADER),
            stamp(_("Keterangan"), _HEADER),
        ]
    )
    table_rows = max(len(kecamatan), len(meta.days), len(legend.entries))
    for i in range(table_rows):
        cells: list[Any] = [None] * 8
        if i < len(kecamatan):
            cells[0] = stamp(kecamatan[i].name, _TEXT)
            cells[1] = stamp(on_time_share(kecamatan[i].counts), _PERCENT)
        if i < len(meta.days):
            cells[3] = stamp(meta.days[i].day, _CENTER)
            cells[4] = stamp(city.day_share(i), _PERCENT)
        if i < len(legend.entries):
            entry = legend.entries[i]
            cells[6] = stamp(entry.abbreviation, _status_look(entry.code))
            cells[7] = stamp(entry.label, _TEXT)
        ws.append(cells)


def _share_axis(chart: BarChart | LineChart) -> None:
    chart.y_axis.number_format = PERCENT_FORMAT
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.legend = None


def _kecamatan_bar_chart(ws: Any, n_kecamatan: int, month: str) -> BarChart:
    first = CHART_FIRST_ROW
    bar = BarChart()
    bar.type = "bar"
    bar.title = _("%% tepat waktu per kecamatan, %(month)s") % {"month": month}
    _share_axis(bar)
    bar.x_axis.scaling.orientation = "maxMin"  # first kecamatan on top, as in the table
    bar.height = max(7.5, 0.6 * n_kecamatan + 2)
    bar.width = 18
    last = first + max(n_kecamatan, 1) - 1
    bar.add_data(Reference(ws, min_col=2, min_row=first - 1, max_row=last), titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    return bar


def _daily_line_chart(ws: Any, n_days: int, month: str) -> LineChart:
    first = CHART_FIRST_ROW
    line = LineChart()
    line.title = _("%% tepat waktu seluruh kantor per hari, %(month)s") % {"month": month}
    _share_axis(line)
    line.x_axis.title = _("Tanggal")
    line.display_blanks = "gap"
    line.width = 18
    line.height = 7.5
    last = first + n_days - 1
    line.add_data(Reference(ws, min_col=5, min_row=first - 1, max_row=last), titles_from_data=True)
    line.set_categories(Reference(ws, min_col=4, min_row=first, max_row=last))
    for series in line.series:
        series.smooth = False
        series.marker.symbol = "circle"
        series.marker.size = 5
    return line
