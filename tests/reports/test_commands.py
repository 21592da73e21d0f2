"""`manage.py export_report` and `manage.py bench_export`."""

import csv

import openpyxl
import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_export_daily_workbook(day_with_verdicts, tmp_path):
    out = tmp_path / "harian.xlsx"
    call_command("export_report", "--date", "2026-11-24", "--out", str(out))
    ws = openpyxl.load_workbook(out)["Harian"]
    assert ws["H6"].value == "Tepat waktu"


def test_export_daily_csv_follows_the_suffix(day_with_verdicts, tmp_path):
    out = tmp_path / "harian.csv"
    call_command("export_report", "--date", "2026-11-24", "--out", str(out))
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 66
    assert rows[1][7] == "Tepat waktu"


def test_export_month_with_explicit_format(day_with_verdicts, tmp_path):
    out = tmp_path / "rekap.data"
    call_command("export_report", "--month", "2026-11", "--out", str(out), "--format", "csv")
    assert out.read_text(encoding="utf-8-sig").startswith("No.,Kode wilayah")
    xlsx = tmp_path / "rekap.xlsx"
    call_command("export_report", "--month", "2026-11", "--out", str(xlsx))
    assert openpyxl.load_workbook(xlsx).sheetnames == ["Rekap bulanan", "Grafik"]


def test_export_default_file_name(day_with_verdicts, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("export_report", "--month", "2026-11")
    assert (tmp_path / "rekap-bulanan-2026-11.xlsx").is_file()


@pytest.mark.parametrize(
    "args",
    [["--month", "2026-13"], ["--date", "24-11-2026"], []],
)
def test_export_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        call_command("export_report", *args)


def test_bench_export_leaves_no_rows_behind(kendari, capsys):
    from compliance.models import DailyVerdict
    from places.models import Office

    offices_before = Office.objects.count()
    call_command("bench_export", "--offices", "12", "--repeat", "1")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == [
        "export=daily_xlsx",
        "export=daily_csv",
        "export=monthly_xlsx",
        "export=monthly_csv",
    ]
    assert all(line.startswith("offices=12 ") and "peak_mib=" in line for line in lines)
    assert Office.objects.count() == offices_before
    assert DailyVerdict.objects.count() == 0
