"""CSV versions of the report tables."""

import csv
import io

from reports import csv_export


def parse(lines):
    text = "".join(lines)
    assert text.startswith("\ufeff")  # spreadsheet programs then read UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_daily_csv_has_the_office_table_with_local_times(daily_rows, daily_meta, legend):
    table = parse(csv_export.daily_csv_lines(daily_rows, daily_meta, legend))
    assert table[0][:6] == [
        "No.",
        "Kode wilayah",
        "Kecamatan",
        "Kelurahan",
        "Jadwal buka (WITA)",
        "Buka pada (WITA)",
    ]
    assert len(table) == 1 + len(daily_rows)
    late = next(row for row in table if row[7] == "Terlambat")
    assert late[4:10] == ["07:30", "07:52", "22", "Terlambat", "88", late[9]]
    missing = next(row for row in table if row[3] == "Kelurahan tanpa putusan")
    assert missing[4:9] == ["", "", "", "Belum dinilai", ""]


def test_monthly_csv_has_one_column_per_day_and_the_totals(monthly_rows, monthly_meta, legend):
    table = parse(csv_export.monthly_csv_lines(monthly_rows, monthly_meta, legend))
    header = table[0]
    assert header[4] == "2026-11-01"
    assert header[33] == "2026-11-30"
    assert header[34:] == [
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
    mixed = table[2]
    assert mixed[4:6] == ["Tepat waktu", "Terlambat"]
    assert mixed[34:] == ["15", "15", "0", "0", "0", "30", "50", "150", "0"]
    mandonga = table[3]
    assert mandonga[6] == ""  # no verdict that day
    assert mandonga[34:41] == ["0", "0", "10", "0", "10", "10", "0"]
