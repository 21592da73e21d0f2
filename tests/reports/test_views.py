"""Report pages and downloads: staff only, attachments with Indonesian file names."""

import io

import openpyxl
import pytest
from django.urls import reverse

from reports import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, role_users):
    client.force_login(role_users["diskominfo"])
    return client


@pytest.fixture
def citizen_client(client):
    client.force_login(UserFactory(username="warga"))
    return client


def test_urls_have_the_agreed_names_and_paths():
    assert reverse("reports:report_list") == "/laporan/"
    assert reverse("reports:daily_xlsx", args=["2026-11-24"]) == "/laporan/harian/2026-11-24.xlsx"
    assert reverse("reports:daily_csv", args=["2026-11-24"]) == "/laporan/harian/2026-11-24.csv"
    assert reverse("reports:monthly_xlsx", args=["2026-11"]) == "/laporan/bulanan/2026-11.xlsx"
    assert reverse("reports:monthly_csv", args=["2026-11"]) == "/laporan/bulanan/2026-11.csv"
    assert reverse("reports:report_download", args=[7]) == "/laporan/arsip/7/"


@pytest.mark.parametrize(
    "url",
    [
        "/laporan/",
        "/laporan/harian/2026-11-24.xlsx",
        "/laporan/harian/2026-11-24.csv",
        "/laporan/bulanan/2026-11.xlsx",
        "/laporan/bulanan/2026-11.csv",
        "/laporan/arsip/1/",
    ],
)
def test_anonymous_users_are_sent_to_login_and_citizens_are_refused(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(UserFactory(username="warga"))
    assert client.get(url).status_code == 403


def test_daily_workbook_downloads_as_an_attachment(day_with_verdicts, staff_client):
    response = staff_client.get("/laporan/harian/2026-11-24.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == services.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="laporan-harian-2026-11-24.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["Harian"]["H6"].value == "Tepat waktu"


def test_daily_csv_downloads_as_an_attachment(day_with_verdicts, staff_client):
    response = staff_client.get("/laporan/harian/2026-11-24.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="laporan-harian-2026-11-24.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1].endswith(",07:30,07:31,,Tepat waktu,95,0,")


def test_monthly_downloads(day_with_verdicts, staff_client):
    response = staff_client.get("/laporan/bulanan/2026-11.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="rekap-bulanan-2026-11.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["Rekap bulanan"]["AA6"].value == "TW"  # 24 November, first office
    response = staff_client.get("/laporan/bulanan/2026-11.csv")
    assert response["Content-Disposition"] == 'attachment; filename="rekap-bulanan-2026-11.csv"'
    assert len(b"".join(response.streaming_content).decode("utf-8-sig").splitlines()) == 66


def test_an_unknown_stored_report_is_not_found(staff_client):
    assert staff_client.get("/laporan/arsip/999/").status_code == 404


@pytest.mark.parametrize(
    ("url", "message", "field"),
    [
        ("/laporan/harian/2026-02-30.xlsx", "Tanggal 2026-02-30 tidak ada di kalender.", "tanggal"),
        ("/laporan/harian/2026-02-30.csv", "Tanggal 2026-02-30 tidak ada di kalender.", "tanggal"),
        ("/laporan/bulanan/2026-13.csv", "Bulan 2026-13 tidak ada.", "bulan"),
        ("/laporan/harian/2099-01-05.xlsx", "tanggal itu belum terjadi", "tanggal"),
        ("/laporan/bulanan/2099-01.xlsx", "bulan itu belum dimulai", "bulan"),
        ("/laporan/?tanggal=2099-01-05", "tanggal itu belum terjadi", "tanggal"),
        ("/laporan/?bulan=2026-00", "Bulan 2026-00 tidak ada.", "bulan"),
    ],
)
def test_impossible_and_future_periods_are_refused_in_indonesian(staff_client, url, message, field):
    response = staff_client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert message in html
    assert f'href="#{field}"' in html  # the error summary links the field
    assert "Not Found" not in html


def test_this_month_so_far_and_today_are_still_exported(staff_client):
    from django.utils import timezone

    today = timezone.localdate()
    assert staff_client.get(f"/laporan/harian/{today.isoformat()}.csv").status_code == 200
    assert staff_client.get(f"/laporan/bulanan/{today:%Y-%m}.csv").status_code == 200


def test_report_list_links_stored_reports_for_download(
    day_with_verdicts, reports_root, staff_client
):
    day, _offices = day_with_verdicts
    report = services.build_daily_report(day, "pagi")
    page = staff_client.get("/laporan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/laporan/arsip/{report.pk}/"' in html
    assert "laporan-harian-2026-11-24-pagi.xlsx" in html
    download = staff_client.get(f"/laporan/arsip/{report.pk}/")
    assert download["Content-Disposition"] == (
        'attachment; filename="laporan-harian-2026-11-24-pagi.xlsx"'
    )
    assert b"".join(download.streaming_content) == (reports_root / report.file_path).read_bytes()


def test_report_list_form_redirects_to_the_export(staff_client):
    response = staff_client.get("/laporan/", {"tanggal": "2026-11-24", "format": "csv"})
    assert response["Location"] == "/laporan/harian/2026-11-24.csv"
    response = staff_client.get("/laporan/", {"bulan": "2026-11"})
    assert response["Location"] == "/laporan/bulanan/2026-11.xlsx"


def test_stored_report_whose_file_is_gone_is_not_found(
    day_with_verdicts, reports_root, staff_client
):
    day, _offices = day_with_verdicts
    report = services.build_daily_report(day, "pagi")
    (reports_root / report.file_path).unlink()
    assert staff_client.get(f"/laporan/arsip/{report.pk}/").status_code == 404


def test_every_export_is_written_to_the_audit_log(day_with_verdicts, staff_client):
    from places.models import AuditLogEntry

    staff_client.get("/laporan/harian/2026-11-24.xlsx")
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.target, entry.user.username) == (
        "export",
        "/laporan/harian/2026-11-24.xlsx",
        "diskominfo",
    )


def test_a_camat_may_not_export_the_whole_city(client, role_users):
    client.force_login(role_users["camat"])
    assert client.get("/laporan/harian/2026-11-24.csv").status_code == 403
