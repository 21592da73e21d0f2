from datetime import UTC, date, datetime

import pytest
from rest_framework.test import APIClient

from complaints.models import Complaint
from places.models import AuditLogEntry, Office
from reports.services import build_daily_report

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 24)


def make_complaint(code: str, tracking: str) -> Complaint:
    return Complaint.objects.create(
        office=Office.objects.get(code=code),
        visited_at=datetime(2026, 11, 24, 0, 30, tzinfo=UTC),
        kind="closed",
        description="Kantor masih tutup jam 08.30",
        contact_phone="081234567890",
        contact_email="warga@example.com",
        received_on=DAY,
        forward_due=DAY,
        answer_due=DAY,
        tracking_code=tracking,
    )


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_complaints_api_never_shows_the_citizens_contact(role_users):
    make_complaint("74.71.01.1005", "ABCDEFGH23")
    response = api(role_users["wali_kota"]).get("/api/v1/complaints/")
    assert response.json()["count"] == 1
    body = response.content.decode()
    assert "081234567890" not in body
    assert "warga@example.com" not in body


def test_camat_reads_only_their_kecamatans_complaints(role_users):
    make_complaint("74.71.01.1005", "OWNKEC2345")
    other = Office.objects.exclude(kecamatan__code="74.71.01").first()
    make_complaint(other.code, "OTHERKEC23")
    codes = [
        c["tracking_code"]
        for c in api(role_users["camat"]).get("/api/v1/complaints/").json()["results"]
    ]
    assert codes == ["OWNKEC2345"]


def test_stored_reports_are_listed_and_downloaded_with_an_audit_entry(
    role_users, settings, tmp_path
):
    settings.REPORTS_ROOT = tmp_path
    report = build_daily_report(DAY, "morning")
    client = api(role_users["auditor"])
    listing = client.get("/api/v1/reports/").json()
    assert [row["id"] for row in listing["results"]] == [report.pk]
    download = client.get(f"/api/v1/reports/{report.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"  # an xlsx is a zip
    assert AuditLogEntry.objects.filter(action="export").count() == 1
