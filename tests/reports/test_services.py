"""Stored, replaced and e-mailed reports."""

import io
from datetime import UTC, date, datetime
from smtplib import SMTPException

import openpyxl
import pytest
from django.core.mail import EmailMessage

from reports import services
from reports.models import Report

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # 10:30 WITA


def test_daily_report_is_stored_under_reports_root_with_its_row(day_with_verdicts, reports_root):
    day, _offices = day_with_verdicts
    report = services.build_daily_report(day, "pagi", NOW)
    assert report.kind == Report.Kind.MORNING
    assert report.file_path == "harian/74.71/2026/laporan-harian-2026-11-24-pagi.xlsx"
    assert report.local_government.code == "74.71"
    path = reports_root / report.file_path
    assert path.is_file()
    assert report.size_bytes == path.stat().st_size
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Harian", "Ringkasan", "Pengaduan lewat tenggat"]
    assert "Laporan pagi" in book["Harian"]["A2"].value


def test_rebuilding_a_day_replaces_the_file_and_the_row(day_with_verdicts, reports_root):
    from compliance.models import DailyVerdict

    day, offices = day_with_verdicts
    first = services.build_daily_report(day, "pagi", NOW)
    DailyVerdict.objects.filter(office=offices[2], date=day).update(status="on_time")
    again = services.build_daily_report(day, "morning", NOW)
    assert again.pk == first.pk
    assert Report.objects.count() == 1
    assert [p.name for p in (reports_root / "harian/74.71/2026").iterdir()] == [
        "laporan-harian-2026-11-24-pagi.xlsx"
    ]
    ws = openpyxl.load_workbook(reports_root / again.file_path)["Harian"]
    assert ws["H8"].value == "Tepat waktu"


def test_morning_and_end_of_day_reports_are_separate_rows(day_with_verdicts, reports_root):
    day, _offices = day_with_verdicts
    services.build_daily_report(day, "pagi", NOW)
    services.build_daily_report(day, "sore", NOW)
    assert sorted(Report.objects.values_list("kind", flat=True)) == ["end_of_day", "morning"]


def test_unknown_kind_is_refused(reports_root):
    with pytest.raises(ValueError, match="siang"):
        services.build_daily_report(date(2026, 11, 24), "siang")


def test_report_is_emailed_once_with_the_workbook_attached(
    day_with_verdicts, reports_root, settings, mailoutbox
):
    settings.REPORT_RECIPIENTS = ["walikota@kendarikota.go.id", "diskominfo@kendarikota.go.id"]
    day, offices = day_with_verdicts
    [report] = services.build_and_send_daily_report("pagi", day, NOW)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == settings.REPORT_RECIPIENTS
    assert "Laporan pagi" in message.subject
    assert "Selasa, 24 November 2026" in message.subject
    assert offices[2].name in message.body  # the office that did not open is named
    (filename, content, mimetype) = message.attachments[0]
    assert filename == "laporan-harian-2026-11-24-pagi.xlsx"
    assert mimetype == services.XLSX_CONTENT_TYPE
    assert content == (reports_root / report.file_path).read_bytes()
    assert openpyxl.load_workbook(io.BytesIO(content))["Harian"]["H6"].value == "Tepat waktu"
    report.refresh_from_db()
    assert report.emailed_at is not None
    assert report.recipients == settings.REPORT_RECIPIENTS

    # A duplicate delivery of the task rebuilds the file but sends nothing.
    [again] = services.build_and_send_daily_report("pagi", day, NOW)
    assert again.pk == report.pk
    assert len(mailoutbox) == 1
    assert Report.objects.count() == 1


def test_no_recipients_no_email(day_with_verdicts, reports_root, settings, mailoutbox):
    settings.REPORT_RECIPIENTS = []
    day, _offices = day_with_verdicts
    [report] = services.build_and_send_daily_report("sore", day, NOW)
    assert mailoutbox == []
    report.refresh_from_db()
    assert report.emailed_at is None


def test_failed_email_releases_the_claim_so_a_retry_sends(
    day_with_verdicts, reports_root, settings, mailoutbox, monkeypatch
):
    settings.REPORT_RECIPIENTS = ["walikota@kendarikota.go.id"]
    day, _offices = day_with_verdicts
    report = services.build_daily_report(day, "pagi", NOW)

    def refuse(self, fail_silently=False):
        raise SMTPException("421 try later")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMessage, "send", refuse)
        with pytest.raises(SMTPException):
            services.send_report(report.pk)
    report.refresh_from_db()
    assert report.emailed_at is None
    assert services.send_report(report.pk) is True
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "day",
    [date(2026, 11, 22), date(2026, 12, 25)],
    ids=["sunday", "christmas"],
)
def test_no_report_on_a_day_no_office_works(kendari, reports_root, settings, mailoutbox, day):
    settings.REPORT_RECIPIENTS = ["walikota@kendarikota.go.id"]
    assert services.build_and_send_daily_report("pagi", day) == []
    assert Report.objects.count() == 0
    assert mailoutbox == []


def test_monthly_report_is_stored_once_per_month(
    day_with_verdicts, reports_root, settings, mailoutbox
):
    settings.REPORT_RECIPIENTS = ["walikota@kendarikota.go.id"]
    now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    [report] = services.build_and_send_monthly_report(now=now)  # default: last month
    assert (report.kind, report.date) == ("monthly", date(2026, 11, 1))
    assert report.file_path == "bulanan/74.71/rekap-bulanan-2026-11.xlsx"
    services.build_and_send_monthly_report(2026, 11, now)
    assert Report.objects.count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].attachments[0][0] == "rekap-bulanan-2026-11.xlsx"
    book = openpyxl.load_workbook(reports_root / report.file_path)
    assert book.sheetnames == ["Rekap bulanan", "Grafik"]


def test_report_path_refuses_to_leave_reports_root(reports_root):
    with pytest.raises(ValueError, match="outside"):
        services.report_path(
            Report(kind="morning", date=date(2026, 1, 2), file_path="../../etc/passwd")
        )


def test_stored_reports_speak_the_deployment_language_whatever_is_active(
    day_with_verdicts, reports_root
):
    from django.utils import translation

    day, _offices = day_with_verdicts
    with translation.override("en"):
        report = services.build_daily_report(day, "pagi", NOW)
    ws = openpyxl.load_workbook(reports_root / report.file_path)["Harian"]
    assert ws["A2"].value.startswith("Laporan pagi · Selasa")
    assert ws["H6"].value == "Tepat waktu"


def test_daily_workbook_lists_overdue_complaints_without_contact(day_with_verdicts):
    import io
    from datetime import UTC, date, datetime

    from openpyxl import load_workbook

    from complaints.models import Complaint
    from places.models import Office
    from reports import services as report_services

    Complaint.objects.create(
        office=Office.objects.get(code="74.71.01.1005"),
        visited_at=datetime(2026, 11, 16, 0, 30, tzinfo=UTC),
        kind="closed",
        description="Kantor masih tutup",
        contact_phone="081234567890",
        received_on=date(2026, 11, 16),
        forward_due=date(2026, 11, 19),
        answer_due=date(2026, 11, 21),
        tracking_code="LATE234567",
    )
    content = report_services.daily_xlsx(date(2026, 11, 24))
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[2]
    values = [cell.value for cell in sheet[4]]
    assert values[0] == "LATE234567"
    assert values[6].date() == date(2026, 11, 19)
    assert values[7] == 5
    assert sheet.freeze_panes == "A4"
    everything = [str(c.value) for row in sheet.iter_rows() for c in row]
    assert not any("081234567890" in v for v in everything)


def test_a_verdict_changed_between_the_headline_and_the_table_writes_the_workbook_again(
    day_with_verdicts, monkeypatch
):
    from compliance.models import DailyVerdict
    from reports import selectors

    day, offices = day_with_verdicts
    streams = []
    real_rows = selectors.daily_report_rows

    def rows_then_change(*args, **kwargs):
        meta, rows = real_rows(*args, **kwargs)
        streams.append(meta)
        return meta, changed_after(rows) if len(streams) == 1 else rows

    def changed_after(rows):
        yield from rows
        # right after the headline's pass, a verdict of the day changes
        DailyVerdict.objects.filter(office=offices[2], date=day).update(status="late")

    def statuses(sheet):
        return [row[7] for row in sheet.iter_rows(min_row=6, values_only=True)]

    monkeypatch.setattr(selectors, "daily_report_rows", rows_then_change)
    book = openpyxl.load_workbook(io.BytesIO(services.daily_xlsx(day)))
    assert len(streams) == 4  # headline and table, then both again
    ws = book["Harian"]
    late = statuses(ws).count("Terlambat")
    assert late >= 1
    assert f"Terlambat {late}" in ws["A3"].value
