"""Workbook builders over plain rows (reports.rows); no ORM, no clock.

Every time written into a cell is a naive local ``datetime.time``/``datetime`` (openpyxl refuses
aware values) and the column header names the zone. The monthly workbook is written in
openpyxl's write-only mode so that a year for a thousand offices streams to disk instead of
living in memory; its styles are copied from prototype cells because styling each streamed cell
from scratch costs more than writing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from os import PathLike
from typing import IO, Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from reports.rows import (
    CLOSED_EARLY,
    EXCUSED,
    HOLIDAY,
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
    "build_daily_workbook",
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


def _put(ws: Worksheet, row: int, column: int, value: Any, look: _Look) -> None:
    look.apply(ws.cell(row=row, column=column, value=value))


# --- Daily report -------------------------------------------------------------------------------


def _daily_headline(rows: Sequence[DailyRow], legend: StatusLegend) -> str:
    """One line for the reader in a hurry: counts per status and the on-time percentage."""
    counts = count_statuses(row.status for row in rows)
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


def build_daily_workbook(
    rows: Sequence[DailyRow],
    meta: DailyReportMeta,
    legend: StatusLegend,
    overdue: Sequence[OverdueComplaintRow] = (),
) -> Workbook:
    """The daily report: one row per office, then a summary per kecamatan.

    Sheet 1 holds the office table (header on row ``DAILY_HEADER_ROW``, frozen, filtered); sheet 2
    counts it per kecamatan with COUNTIFS formulas over sheet 1, so a corrected status in sheet 1
    updates the summary. Small enough (one row per office) for a regular workbook.
    """
    wb = Workbook()
    wb.properties.title = _("Laporan harian kepatuhan jam buka kantor kelurahan")
    wb.properties.creator = "kelurahan-monitor"
    # The summary is formulas: make every spreadsheet program compute them on opening.
    wb.calculation.fullCalcOnLoad = True

    ws = wb.active
    ws.title = _("Harian")
    headers = _daily_headers(meta.zone)
    _put(
        ws,
        1,
        1,
        _("Laporan Kepatuhan Jam Buka Kantor Kelurahan — %(government)s")
        % {"government": meta.government},
        _TITLE,
    )
    _put(ws, 2, 1, f"{meta.kind_label} · {_long_date(meta.day)}", _SUBTITLE)
    _put(ws, 3, 1, _daily_headline(rows, legend), _HEADLINE)
    _put(
        ws,
        4,
        1,
        _("Dibuat %(when)s %(zone)s · sumber: kamera CCTV kantor (jumlah orang)")
        % {"when": meta.generated_at.strftime("%d-%m-%Y %H:%M"), "zone": meta.zone},
        _NOTE,
    )

    for column, (title, width) in enumerate(headers, start=1):
        _put(ws, DAILY_HEADER_ROW, column, title, _HEADER)
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.row_dimensions[DAILY_HEADER_ROW].height = 32

    status_looks = {code: _status_look(code) for code in [*STATUS_COLOURS, None]}
    first = DAILY_HEADER_ROW + 1
    for index, item in enumerate(rows):
        r = first + index
        _put(ws, r, 1, index + 1, _CENTER)
        _put(ws, r, 2, item.office_code, _TEXT)
        _put(ws, r, 3, item.kecamatan, _TEXT)
        _put(ws, r, 4, item.kelurahan, _TEXT)
        _put(ws, r, 5, item.scheduled_open, _TIME)
        _put(ws, r, 6, item.opened_at, _TIME)
        _put(ws, r, 7, item.minutes_late, _INTEGER)
        _put(ws, r, 8, legend.label(item.status), status_looks.get(item.status, _CENTER))
        _put(ws, r, 9, item.coverage, _PERCENT)
        _put(ws, r, 10, item.complaints, _INTEGER)
        _put(ws, r, 11, item.note, _TEXT)
    last = first + max(len(rows), 1) - 1
    last_column = get_column_letter(len(headers))
    ws.freeze_panes = ws.cell(row=first, column=1).coordinate
    ws.auto_filter.ref = f"A{DAILY_HEADER_ROW}:{last_column}{last}"
    _print_setup(ws, DAILY_HEADER_ROW)

    _daily_summary_sheet(wb.create_sheet(_("Ringkasan")), ws.title, rows, meta, legend, last)
    _overdue_complaints_sheet(wb.create_sheet(_("Pengaduan lewat tenggat")), overdue)
    return wb


def _overdue_complaints_sheet(ws: Worksheet, overdue: Sequence[OverdueComplaintRow]) -> None:
    """Open citizen complaints past their SP4N-LAPOR! deadline (never any contact data)."""
    _put(ws, 1, 1, _("Pengaduan warga yang melewati tenggat SP4N-LAPOR!"), _TITLE)
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
    for column, (title, width) in enumerate(headers, start=1):
        _put(ws, header_row, column, title, _HEADER)
        ws.column_dimensions[get_column_letter(column)].width = width
    for index, item in enumerate(overdue, start=header_row + 1):
        values = (
            item.tracking_code,
            item.kecamatan,
            item.kelurahan,
            item.received_on,
            item.status_label,
            item.missed_deadline,
            item.due,
            item.days_late,
        )
        for column, value in enumerate(values, start=1):
            look = _DATE if column in (4, 7) else _INTEGER if column == 8 else _TEXT
            _put(ws, index, column, value, look)
    if not overdue:
        _put(ws, header_row + 1, 1, _("Tidak ada pengaduan yang lewat tenggat."), _NOTE)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    last = header_row + max(len(overdue), 1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{last}"
    _print_setup(ws, header_row)


def _daily_summary_sheet(
    ws: Worksheet,
    detail_title: str,
    rows: Sequence[DailyRow],
    meta: DailyReportMeta,
    legend: StatusLegend,
    detail_last_row: int,
) -> None:
    detail = quote_sheetname(detail_title)
    first_detail = DAILY_HEADER_ROW + 1

    def detail_range(column: str) -> str:
        return f"{detail}!${column}${first_detail}:${column}${detail_last_row}"

    kecamatan_range, status_range, complaints_range = (
        detail_range("C"),
        detail_range("H"),
        detail_range("J"),
    )
    statuses = [entry.code for entry in legend.entries]
    _put(
        ws,
        1,
        1,
        _("Ringkasan per kecamatan — %(government)s") % {"government": meta.government},
        _TITLE,
    )
    _put(ws, 2, 1, f"{meta.kind_label} · {_long_date(meta.day)}", _SUBTITLE)

    header = SUMMARY_HEADER_ROW
    _put(ws, header, 1, _("Kecamatan"), _HEADER)
    _put(ws, header, 2, _("Jumlah kantor"), _HEADER)
    for offset, code in enumerate(statuses):
        _put(ws, header, 3 + offset, legend.label(code), _status_header_look(code))
    share_column = 3 + len(statuses)
    complaints_column = share_column + 1
    _put(ws, header, share_column, _("% tepat waktu"), _HEADER)
    _put(ws, header, complaints_column, _("Pengaduan"), _HEADER)
    ws.row_dimensions[header].height = 32
    ws.column_dimensions["A"].width = 22
    for column in range(2, complaints_column + 1):
        ws.column_dimensions[get_column_letter(column)].width = 12

    letter = {code: get_column_letter(3 + i) for i, code in enumerate(statuses)}
    judged = [letter[c] for c in (ON_TIME, LATE, NOT_OPENED, CLOSED_EARLY) if c in letter]

    def share_formula(r: int) -> str:
        judged_sum = "SUM(" + ",".join(f"{c}{r}" for c in judged) + ")"
        return f'=IF({judged_sum}=0,"",{letter[ON_TIME]}{r}/{judged_sum})'

    kecamatan_names = list(dict.fromkeys(row.kecamatan for row in rows))
    r = header
    for r, name in enumerate(kecamatan_names, start=header + 1):
        _put(ws, r, 1, name, _TEXT)
        _put(ws, r, 2, f"=COUNTIF({kecamatan_range},$A{r})", _INTEGER)
        for code in statuses:
            column = letter[code]
            _put(
                ws,
                r,
                3 + statuses.index(code),
                f"=COUNTIFS({kecamatan_range},$A{r},{status_range},{column}${header})",
                _INTEGER,
            )
        _put(ws, r, share_column, share_formula(r), _PERCENT)
        _put(
            ws,
            r,
            complaints_column,
            f"=SUMIF({kecamatan_range},$A{r},{complaints_range})",
            _INTEGER,
        )
    first_body, last_body = header + 1, max(r, header + 1)
    total = last_body + 1
    _put(ws, total, 1, _("Jumlah"), _TOTAL_TEXT)
    for column in [2, *range(3, 3 + len(statuses)), complaints_column]:
        c = get_column_letter(column)
        _put(ws, total, column, f"=SUM({c}{first_body}:{c}{last_body})", _TOTAL_INTEGER)
    _put(ws, total, share_column, share_formula(total), _TOTAL_PERCENT)

    notes = [
        _("Semua waktu dalam %(zone)s.") % {"zone": meta.zone},
        _(
            "% tepat waktu = tepat waktu ÷ (tepat waktu + terlambat + tidak buka + tutup lebih "
            "awal); hari tanpa data kamera, libur dan dikecualikan tidak dinilai."
        ),
        _("Cakupan data = bagian pemeriksaan kamera yang berhasil pada jendela buka kantor."),
    ]
    for offset, note in enumerate(notes, start=2):
        _put(ws, total + offset, 1, note, _NOTE)
    ws.freeze_panes = ws.cell(row=header + 1, column=2).coordinate
    _print_setup(ws, header)


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


def write_monthly_workbook(
    rows: Iterable[MonthlyOfficeRow],
    meta: MonthlyReportMeta,
    legend: StatusLegend,
    out: str | PathLike[str] | IO[bytes],
) -> list[KecamatanTotals]:
    """Stream the monthly recap to ``out`` (a path or a binary file) and return its totals.

    Sheet 1: office-by-day matrix (status abbreviations on status colours), then COUNTIF totals
    and the on-time percentage per office, then a block per kecamatan (SUMIF over the office
    rows) and the city total. Sheet 2: the chart data and two charts. ``rows`` is consumed once
    and may be a generator; rows must arrive grouped by kecamatan.
    """
    wb = Workbook(write_only=True)
    wb.properties.title = _("Rekap bulanan kepatuhan jam buka kantor kelurahan")
    wb.properties.creator = "kelurahan-monitor"
    wb.calculation.fullCalcOnLoad = True
    ws = wb.create_sheet(_("Rekap bulanan"))
    stamp = _Stamp(ws)

    n_days = len(meta.days)
    first_day_col = 4
    last_day_col = first_day_col + n_days - 1
    total_col = {code: last_day_col + 1 + i for i, code in enumerate(TOTAL_STATUSES)}
    judged_col = last_day_col + len(TOTAL_STATUSES) + 1
    minutes_col, complaints_col = judged_col + 2, judged_col + 3
    last_col = complaints_col
    day_range_of = (
        f"${get_column_letter(first_day_col)}{{r}}:${get_column_letter(last_day_col)}{{r}}"
    )

    widths = {1: 5, 2: 18, 3: 22}
    widths |= {c: 5 for c in range(first_day_col, last_day_col + 1)}
    widths |= {c: 10 for c in range(last_day_col + 1, last_col + 1)}
    widths[minutes_col] = 11
    widths[complaints_col] = 11
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width

    first_row = MONTHLY_HEADER_ROW + 1
    # Sheet views and properties are written with the sheet's top: set them before any row.
    ws.freeze_panes = f"{get_column_letter(first_day_col)}{first_row}"
    _print_setup(ws, MONTHLY_HEADER_ROW)
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A3
    ws.row_dimensions[MONTHLY_HEADER_ROW].height = 45  # wrapped total headers

    month_name = date_format(meta.days[0], "F Y")
    ws.append(
        [
            stamp(
                _("Rekap Bulanan Kepatuhan Jam Buka Kantor Kelurahan — %(government)s")
                % {"government": meta.government},
                _TITLE,
            )
        ]
    )
    ws.append(
        [
            stamp(
                _("%(month)s · dibuat %(when)s %(zone)s")
                % {
                    "month": month_name,
                    "when": meta.generated_at.strftime("%d-%m-%Y %H:%M"),
                    "zone": meta.zone,
                },
                _SUBTITLE,
            )
        ]
    )
    ws.append(
        [
            stamp(
                _("Keterangan: ")
                + " · ".join(f"{e.abbreviation} = {e.label}" for e in legend.entries),
                _NOTE,
            )
        ]
    )
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

    status_looks = {code: _status_look(code) for code in STATUS_COLOURS}
    blank_day = _Look(alignment=Alignment(horizontal="center"))
    abbreviations = {code: legend.abbreviation(code) for code in STATUS_COLOURS}
    kecamatan: dict[str, KecamatanTotals] = {}
    r = MONTHLY_HEADER_ROW

    def totals_cells(r: int, count_formula: Any, total: bool = False) -> list[WriteOnlyCell]:
        integer, percent = (_TOTAL_INTEGER, _TOTAL_PERCENT) if total else (_INTEGER, _PERCENT)
        cells = [stamp(count_formula(code, total_col[code]), integer) for code in TOTAL_STATUSES]
        judged = ",".join(
            f"{get_column_letter(total_col[c])}{r}"
            for c in (ON_TIME, LATE, NOT_OPENED, CLOSED_EARLY)
        )
        on_time = f"{get_column_letter(total_col[ON_TIME])}{r}"
        judged_cell = f"{get_column_letter(judged_col)}{r}"
        cells.append(stamp(f"=SUM({judged})", integer))
        cells.append(stamp(f'=IF({judged_cell}=0,"",{on_time}/{judged_cell})', percent))
        return cells

    for number, office in enumerate(rows, start=1):
        r += 1
        kecamatan.setdefault(office.kecamatan, KecamatanTotals(office.kecamatan)).add(office)
        day_range = day_range_of.format(r=r)
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
        cells += totals_cells(
            r, lambda code, _col, dr=day_range: f'=COUNTIF({dr},"{abbreviations[code]}")'
        )
        cells += [stamp(office.minutes_late_total, _INTEGER), stamp(office.complaints, _INTEGER)]
        ws.append(cells)
    last_row = max(r, first_row)

    # Per kecamatan: SUMIF over the office rows; the day cells show that day's on-time share.
    ws.append([])
    ws.append([None, stamp(_("Rekap per kecamatan"), _Look(font=Font(bold=True), border=None))])
    r += 2
    kec_range = f"$B${first_row}:$B${last_row}"
    for name, totals in kecamatan.items():
        r += 1

        def sumif(_code: str, column: int, row: int = r) -> str:
            c = get_column_letter(column)
            return f"=SUMIF({kec_range},$B{row},{c}${first_row}:{c}${last_row})"

        cells = [
            None,
            stamp(name, _TOTAL_TEXT),
            stamp(_("%(n)d kantor") % {"n": totals.offices}, _TOTAL_TEXT),
        ]
        cells += [stamp(totals.day_share(i), _PERCENT) for i in range(n_days)]
        cells += totals_cells(r, sumif, total=True)
        cells += [
            stamp(sumif("", minutes_col), _TOTAL_INTEGER),
            stamp(sumif("", complaints_col), _TOTAL_INTEGER),
        ]
        ws.append(cells)

    r += 1
    city = _city_totals(kecamatan.values(), n_days)

    def city_sum(_code: str, column: int) -> str:
        c = get_column_letter(column)
        return f"=SUM({c}{first_row}:{c}{last_row})"

    cells = [
        None,
        stamp(meta.government, _TOTAL_TEXT),
        stamp(_("%(n)d kantor") % {"n": city.offices}, _TOTAL_TEXT),
    ]
    cells += [stamp(city.day_share(i), _TOTAL_PERCENT) for i in range(n_days)]
    cells += totals_cells(r, city_sum, total=True)
    cells += [
        stamp(city_sum("", minutes_col), _TOTAL_INTEGER),
        stamp(city_sum("", complaints_col), _TOTAL_INTEGER),
    ]
    ws.append(cells)
    ws.append([])
    ws.append(
        [
            None,
            stamp(
                _(
                    "Semua waktu dalam %(zone)s. %% tepat waktu = tepat waktu ÷ hari dinilai "
                    "(tepat waktu, terlambat, tidak buka, tutup lebih awal); sel hari per "
                    "kecamatan: %% kantor yang tepat waktu hari itu."
                )
                % {"zone": meta.zone},
                _NOTE,
            ),
        ]
    )

    ws.auto_filter.ref = f"A{MONTHLY_HEADER_ROW}:{get_column_letter(last_col)}{last_row}"

    all_totals = list(kecamatan.values())
    _chart_sheet(wb, all_totals, city, meta, legend)
    wb.save(out)
    return all_totals


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
    # Tables and both charts on one landscape page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for column, width in {
        "A": 22,
        "B": 13,
        "C": 3,
        "D": 10,
        "E": 13,
        "F": 3,
        "G": 8,
        "H": 20,
    }.items():
        ws.column_dimensions[column].width = width
    ws.append(
        [
            stamp(
                _("Grafik kepatuhan — %(month)s") % {"month": date_format(meta.days[0], "F Y")},
                _TITLE,
            )
        ]
    )
    ws.append([])
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

    first = 4
    bar = BarChart()
    bar.type = "bar"
    bar.title = _("%% tepat waktu per kecamatan, %(month)s") % {
        "month": date_format(meta.days[0], "F Y")
    }
    bar.y_axis.number_format = PERCENT_FORMAT
    bar.y_axis.scaling.min = 0
    bar.y_axis.scaling.max = 1
    bar.y_axis.delete = False
    bar.x_axis.delete = False
    bar.legend = None
    bar.x_axis.scaling.orientation = "maxMin"  # first kecamatan on top, as in the table
    bar.height = max(7.5, 0.6 * len(kecamatan) + 2)
    bar.width = 18
    last_kec = first + max(len(kecamatan), 1) - 1
    bar.add_data(
        Reference(ws, min_col=2, min_row=first - 1, max_row=last_kec), titles_from_data=True
    )
    bar.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last_kec))
    ws.add_chart(bar, "J3")

    line = LineChart()
    line.title = _("%% tepat waktu seluruh kantor per hari, %(month)s") % {
        "month": date_format(meta.days[0], "F Y")
    }
    line.y_axis.number_format = PERCENT_FORMAT
    line.y_axis.scaling.min = 0
    line.y_axis.scaling.max = 1
    line.y_axis.delete = False
    line.x_axis.delete = False
    line.x_axis.title = _("Tanggal")
    line.legend = None
    line.display_blanks = "gap"
    line.width = 18
    line.height = 7.5
    last_day = first + len(meta.days) - 1
    line.add_data(
        Reference(ws, min_col=5, min_row=first - 1, max_row=last_day), titles_from_data=True
    )
    line.set_categories(Reference(ws, min_col=4, min_row=first, max_row=last_day))
    for series in line.series:
        series.smooth = False
        series.marker.symbol = "circle"
        series.marker.size = 5
    ws.add_chart(line, f"J{int(bar.height * 2) + 6}")
