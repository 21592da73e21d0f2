"""The workbooks as a reader opens them: values, styles, formulas, frozen panes, filters, charts.

Pure builders over plain rows: no database.
"""

import io
import os
import subprocess
import sys
from datetime import datetime, time
from pathlib import Path

import openpyxl
import pytest

from reports import excel
from reports.rows import MonthlyOfficeRow, count_statuses
from tests.reports.conftest import STATUSES, month_of


def reopen(workbook_or_path):
    if isinstance(workbook_or_path, openpyxl.Workbook):
        buffer = io.BytesIO()
        workbook_or_path.save(buffer)
        buffer.seek(0)
        return openpyxl.load_workbook(buffer)
    return openpyxl.load_workbook(workbook_or_path)


def daily_workbook(rows, meta, legend, overdue=()):
    buffer = io.BytesIO()
    counts = count_statuses(row.status for row in rows)
    written = excel.write_daily_workbook(iter(rows), counts, meta, legend, buffer, overdue)
    assert written == counts
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


@pytest.fixture
def daily_book(daily_rows, daily_meta, legend):
    return daily_workbook(daily_rows, daily_meta, legend)


@pytest.fixture
def monthly_book(monthly_rows, monthly_meta, legend, tmp_path):
    path = tmp_path / "rekap.xlsx"
    excel.write_monthly_workbook(iter(monthly_rows), monthly_meta, legend, str(path))
    return reopen(path)


def header_map(ws, row):
    return {cell.value: cell.column_letter for cell in ws[row] if cell.value is not None}


def fill_of(cell):
    return cell.fill.fgColor.rgb[-6:]


# --- Daily ----------------------------------------------------------------------------------


def test_daily_sheets_are_the_office_table_then_the_kecamatan_summary(daily_book):
    assert daily_book.sheetnames == ["Harian", "Ringkasan", "Pengaduan lewat tenggat"]


def test_daily_header_row_is_frozen_and_filtered_below_the_title(daily_book, daily_rows):
    ws = daily_book["Harian"]
    header = excel.DAILY_HEADER_ROW
    assert "Kota Kendari" in ws["A1"].value
    assert ws["A1"].font.b
    assert ws.freeze_panes == f"A{header + 1}"
    last = header + len(daily_rows)
    assert ws.auto_filter.ref == f"A{header}:K{last}"
    assert [c.value for c in ws[header]] == [
        "No.",
        "Kode wilayah",
        "Kecamatan",
        "Kelurahan",
        "Jadwal buka (WITA)",
        "Buka pada (WITA)",
        "Terlambat (menit)",
        "Status",
        "Cakupan data",
        "Pengaduan",
        "Keterangan",
    ]
    for cell in ws[header]:
        assert cell.font.b
        assert fill_of(cell) == excel.HEADER_FILL
    assert ws.print_title_rows == f"${header}:${header}"


def test_daily_headline_counts_statuses_for_the_reader_in_a_hurry(daily_book):
    headline = daily_book["Harian"]["A3"].value
    assert headline.startswith("Tepat waktu 1 · Terlambat 1 · Tidak buka 1")
    # on time / (on time + late + not opened + closed early) = 1/4
    assert headline.endswith("25% tepat waktu dari kantor yang dinilai")


def test_daily_times_are_naive_excel_times_formatted_hh_mm(daily_book):
    ws = daily_book["Harian"]
    columns = header_map(ws, excel.DAILY_HEADER_ROW)
    late_row = next(r for r in ws.iter_rows(min_row=6) if r[7].value == "Terlambat")
    scheduled = ws[f"{columns['Jadwal buka (WITA)']}{late_row[0].row}"]
    opened = ws[f"{columns['Buka pada (WITA)']}{late_row[0].row}"]
    assert scheduled.value == time(7, 30)
    assert opened.value == time(7, 52)
    assert scheduled.number_format == opened.number_format == "HH:MM"
    assert late_row[6].value == 22


def test_no_cell_in_any_workbook_holds_a_time_zone(daily_book, monthly_book):
    for book in (daily_book, monthly_book):
        for ws in book:
            for row in ws.iter_rows():
                for cell in row:
                    value = cell.value
                    assert not (isinstance(value, (datetime, time)) and value.tzinfo), cell


@pytest.mark.parametrize("status", STATUSES)
def test_daily_status_cells_show_the_indonesian_label_on_the_status_colour(
    daily_book, legend, status
):
    ws = daily_book["Harian"]
    label = legend.label(status)
    cells = [row[7] for row in ws.iter_rows(min_row=6) if row[7].value == label]
    assert len(cells) == 1
    fill, font = excel.STATUS_COLOURS[status]
    assert fill_of(cells[0]) == fill
    assert cells[0].font.color.rgb[-6:] == font


def test_status_colours_follow_the_traffic_light():
    colours = {status: fill for status, (fill, _font) in excel.STATUS_COLOURS.items()}
    assert colours["on_time"] == "C6EFCE"  # green
    assert colours["late"] == "FFEB9C"  # amber
    assert colours["not_opened"] == "FFC7CE"  # red
    assert colours["holiday"] == colours["non_working_day"]
    assert len({colours[s] for s in STATUSES}) == 7


def test_office_without_verdict_reads_not_yet_judged(daily_book):
    ws = daily_book["Harian"]
    row = next(r for r in ws.iter_rows(min_row=6) if r[3].value == "Kelurahan tanpa putusan")
    assert row[7].value == "Belum dinilai"
    assert row[4].value is None


def test_daily_coverage_is_a_percentage_and_complaints_a_number(daily_book):
    ws = daily_book["Harian"]
    first = ws[6]
    assert first[8].value == pytest.approx(0.875)
    assert first[8].number_format == "0%"
    assert isinstance(first[9].value, int)


def test_daily_columns_are_wide_enough_for_their_content(daily_book):
    ws = daily_book["Harian"]
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEFGHIJK"}
    assert widths["D"] >= 20  # kelurahan names
    assert widths["H"] >= len("Tutup lebih awal")
    assert widths["K"] >= 30


def test_daily_summary_counts_each_kecamatan_as_values(daily_book, daily_rows, legend):
    ws = daily_book["Ringkasan"]
    header = 4
    headers = [c.value for c in ws[header]]
    assert headers[:2] == ["Kecamatan", "Jumlah kantor"]
    assert headers[2:10] == [legend.label(s) for s in STATUSES]
    assert headers[10:] == ["% tepat waktu", "Pengaduan"]
    assert [ws.cell(row=r, column=1).value for r in (5, 6)] == ["Kadia", "Mandonga"]
    # Values, not formulas: viewers that never recalculate (phone and mail previews, scripts
    # reading cached values) show every figure. Kadia: on time, not opened, closed early,
    # non-working day and one office without a verdict; Mandonga: late, no data, holiday, excused.
    kadia = [ws.cell(row=5, column=c).value for c in range(2, 13)]
    assert kadia == [5, 1, 0, 1, 0, 1, 0, 1, 0, pytest.approx(1 / 3), 3]
    mandonga = [ws.cell(row=6, column=c).value for c in range(2, 13)]
    assert mandonga == [4, 0, 1, 0, 1, 0, 1, 0, 1, 0, 4]
    assert ws["K5"].number_format == "0%"
    assert ws["A7"].value == "Jumlah"
    assert ws["B7"].value == 9
    assert ws["K7"].value == 0.25  # 1 on time of 4 judged
    assert ws["L7"].value == 7
    assert not any(
        isinstance(cell.value, str) and cell.value.startswith("=")
        for row in ws.iter_rows()
        for cell in row
    )


def test_daily_summary_criteria_match_the_labels_in_the_table(daily_book):
    """COUNTIFS compares header labels with status cells: they must be the same strings."""
    summary = daily_book["Ringkasan"]
    table = daily_book["Harian"]
    labels_in_table = {row[7].value for row in table.iter_rows(min_row=6)}
    labels_in_header = {c.value for c in summary[4][2:10]}
    assert labels_in_table - {"Belum dinilai"} <= labels_in_header


def test_daily_workbook_with_no_offices_still_opens(daily_meta, legend):
    book = daily_workbook([], daily_meta, legend)
    assert book["Harian"].auto_filter.ref == "A5:K6"


# --- Monthly --------------------------------------------------------------------------------


def test_monthly_matrix_has_frozen_names_and_header_and_a_filter_on_office_rows(
    monthly_book, monthly_rows
):
    ws = monthly_book["Rekap bulanan"]
    header = excel.MONTHLY_HEADER_ROW
    assert ws.freeze_panes == f"D{header + 1}"
    last_office_row = header + len(monthly_rows)
    assert ws.auto_filter.ref == f"A{header}:AP{last_office_row}"
    values = [c.value for c in ws[header]]
    assert values[:3] == ["No.", "Kecamatan", "Kelurahan"]
    assert values[3:33] == list(range(1, 31))
    assert values[33:] == [
        "Tepat waktu",
        "Terlambat",
        "Tidak buka",
        "Tutup lebih awal",
        "Tidak ada data",
        "Hari dinilai",
        "% tepat waktu",
        "Total menit terlambat",
        "Pengaduan",
    ]
    # Weekday names above the day numbers: 1 November 2026 is a Sunday.
    assert ws["D4"].value == "Min"
    assert ws["E4"].value == "Sen"


def test_monthly_day_cells_show_abbreviations_on_status_colours(monthly_book, legend):
    ws = monthly_book["Rekap bulanan"]
    kadia_mixed = ws[7]
    assert kadia_mixed[3].value == legend.abbreviation("on_time") == "TW"
    assert kadia_mixed[4].value == "TL"
    assert fill_of(kadia_mixed[3]) == excel.STATUS_COLOURS["on_time"][0]
    assert fill_of(kadia_mixed[4]) == excel.STATUS_COLOURS["late"][0]
    mandonga = ws[8]
    assert [c.value for c in mandonga[3:6]] == ["TB", "TD", None]
    assert fill_of(mandonga[3]) == excel.STATUS_COLOURS["not_opened"][0]
    assert mandonga[5].fill.fill_type is None


def test_monthly_totals_per_office_are_values(monthly_book):
    ws = monthly_book["Rekap bulanan"]
    # Office 2 (row 7) alternates on time and late over 30 days, 150 minutes late in all.
    assert [ws[f"{c}7"].value for c in ("AH", "AI", "AJ", "AK", "AL", "AM")] == [
        15,
        15,
        0,
        0,
        0,
        30,
    ]
    assert ws["AN7"].value == 0.5
    assert ws["AN7"].number_format == "0%"
    assert ws["AO7"].value == 150
    assert ws["AP6"].value == 1
    # Office 3 (row 8): not opened, no data, nothing: 10 judged days, none on time.
    assert [ws[f"{c}8"].value for c in ("AJ", "AL", "AM", "AN")] == [10, 10, 10, 0]
    assert not any(
        isinstance(cell.value, str) and cell.value.startswith("=")
        for row in ws.iter_rows()
        for cell in row
    )


def test_monthly_recap_prints_two_pages_wide_with_repeated_headers_and_offices(monthly_book):
    ws = monthly_book["Rekap bulanan"]
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == excel.MONTHLY_PAGES_WIDE == 2
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$4:$5"
    assert ws.print_title_cols == "$A:$C"


def test_monthly_kecamatan_block_sums_office_rows_and_city_row_totals_them(monthly_book):
    ws = monthly_book["Rekap bulanan"]
    # Office rows 6-8, blank row 9, section title row 10, kecamatan rows 11-12, city row 13.
    assert ws["B10"].value == "Rekap per kecamatan"
    assert [ws["B11"].value, ws["B12"].value, ws["B13"].value] == [
        "Kadia",
        "Mandonga",
        "Kota Kendari",
    ]
    assert ws["C11"].value == "2 kantor"
    assert ws["AH11"].value == 45  # Kadia: 30 + 15 days on time
    assert ws["AM11"].value == 60
    assert ws["AN11"].value == 0.75
    assert ws["AO11"].value == 150
    assert ws["AH13"].value == 45  # the city
    assert ws["AM13"].value == 70
    assert ws["AN13"].value == pytest.approx(45 / 70)
    # Day cells of the kecamatan rows hold that day's on-time share as values.
    assert ws["D11"].value == 1  # day 1: both Kadia offices on time
    assert ws["E11"].value == 0.5  # day 2: one on time, one late
    assert ws["E11"].number_format == "0%"
    assert ws["D12"].value == 0  # Mandonga not opened
    assert ws["F12"].value is None  # no verdict: nothing judged
    assert ws.auto_filter.ref.endswith("8")  # the filter leaves the totals out


def test_monthly_returns_the_totals_it_computed(monthly_rows, monthly_meta, legend):
    totals = excel.write_monthly_workbook(monthly_rows, monthly_meta, legend, io.BytesIO())
    kadia = totals[0]
    assert kadia.name == "Kadia"
    assert kadia.offices == 2
    assert kadia.counts == {"on_time": 45, "late": 15}
    assert kadia.minutes_late_total == 150
    assert kadia.complaints == 1


def test_monthly_chart_sheet_plots_kecamatan_and_daily_on_time_share(monthly_book):
    ws = monthly_book["Grafik"]
    assert [ws["A4"].value, ws["A5"].value] == ["Kadia", "Mandonga"]
    assert ws["B4"].value == pytest.approx(45 / 60)
    assert ws["B5"].value == 0
    assert ws["B4"].number_format == "0%"
    assert ws["D4"].value == 1
    assert ws["E4"].value == pytest.approx(2 / 3)
    charts = ws._charts
    assert [type(c).__name__ for c in charts] == ["BarChart", "LineChart"]
    bar, line = charts
    assert bar.series[0].val.numRef.f == "'Grafik'!$B$4:$B$5"
    assert bar.series[0].cat.numRef.f == "'Grafik'!$A$4:$A$5"
    assert line.series[0].val.numRef.f == "'Grafik'!$E$4:$E$33"
    # The legend with colours sits beside the chart data.
    assert ws["G4"].value == "TW"
    assert fill_of(ws["G4"]) == excel.STATUS_COLOURS["on_time"][0]


def test_monthly_workbook_is_written_in_write_only_mode(
    monkeypatch, monthly_rows, monthly_meta, legend
):
    modes = []
    real = excel.Workbook

    def recording_workbook(*args, **kwargs):
        modes.append(kwargs.get("write_only", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(excel, "Workbook", recording_workbook)
    excel.write_monthly_workbook(monthly_rows, monthly_meta, legend, io.BytesIO())
    assert modes == [True]


_STREAM_SCRIPT = """
import os, resource, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kelurahan_monitor.settings")
import django
django.setup()
from datetime import datetime
from reports import excel, selectors
from reports.rows import MonthlyOfficeRow, count_statuses, MonthlyReportMeta
legend = selectors.status_legend()
days = selectors.month_days(2026, 10)
meta = MonthlyReportMeta("Kota Uji", 2026, 10, days, datetime(2026, 11, 1, 7), "WITA")
codes = [entry.code for entry in legend.entries]

def rows(n):
    for i in range(n):
        statuses = tuple(codes[(i + d) % len(codes)] for d in range(len(days)))
        yield MonthlyOfficeRow(f"{i:05d}", f"Kec {i // 50}", f"Kel {i}", statuses, 5, 1)

excel.write_monthly_workbook(rows(20), meta, legend, sys.argv[1])  # warm up imports
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
excel.write_monthly_workbook(rows(1000), meta, legend, sys.argv[1])
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""


def test_monthly_workbook_streams_a_large_month_in_little_memory(tmp_path):
    """1,000 offices x 31 days (43,000 styled cells) raise the peak by a few MiB at most.

    A regular workbook keeps every cell object: about 15 MiB more for the same month.
    Measured in a fresh process, because the peak RSS of this one says nothing.
    """
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", _STREAM_SCRIPT, str(tmp_path / "big.xlsx")],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=120,
        check=True,
    )
    growth_mib = float(result.stdout.strip().splitlines()[-1])
    assert growth_mib < 8, growth_mib
    book = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)
    rows = sum(1 for _ in book["Rekap bulanan"].iter_rows(values_only=True))
    assert rows >= 1000 + excel.MONTHLY_HEADER_ROW


def test_monthly_accepts_a_month_of_31_days(legend, monthly_meta):
    from dataclasses import replace

    meta = replace(monthly_meta, month=10, days=month_of(2026, 10))
    row = MonthlyOfficeRow("c", "K", "L", ("on_time",) * 31)
    buffer = io.BytesIO()
    excel.write_monthly_workbook([row], meta, legend, buffer)
    buffer.seek(0)
    ws = openpyxl.load_workbook(buffer)["Rekap bulanan"]
    assert ws["AH5"].value == 31
    assert ws["AI6"].value == 31
