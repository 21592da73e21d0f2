"""The citizen hears back: each status change by e-mail, and what the camera check found."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from complaints import services
from complaints.models import Complaint, VerificationResult

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")


def submit(office, email: str) -> Complaint:
    day = date(2026, 11, 23)
    return services.submit_complaint(
        services.ComplaintInput(
            office=office,
            visited_at=datetime.combine(day, time(8, 30), tzinfo=WITA),
            kind="opened_late",
            description="Kantor baru buka jam 09.15.",
            photo_jpeg=None,
            phone="",
            email=email,
            source="web",
            ip="10.0.0.9",
        ),
        datetime.combine(day, time(8, 50), tzinfo=WITA),
    )


def test_a_citizen_with_an_email_hears_each_status_change(
    office, django_capture_on_commit_callbacks, make_role_user, kendari
):
    complaint = submit(office, "warga@example.id")
    staff = make_role_user("Diskominfo", kendari, username="dk.feedback")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_verified(complaint, staff.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_complaint(complaint, staff.pk, "Lurah sudah ditegur.", complaint.visited_at)
    assert [message.to for message in mail.outbox] == [["warga@example.id"]] * 2
    assert "Diverifikasi" in mail.outbox[0].subject
    assert "Dijawab" in mail.outbox[1].subject
    assert complaint.tracking_code in mail.outbox[1].body
    assert f"/pengaduan/lacak/{complaint.tracking_code}/" in mail.outbox[1].body


def test_a_citizen_without_an_email_gets_none(
    office, django_capture_on_commit_callbacks, make_role_user, kendari
):
    complaint = submit(office, "")
    staff = make_role_user("Diskominfo", kendari, username="dk.nomail")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_verified(complaint, staff.pk)
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("result", "words"),
    [
        (VerificationResult.PENDING, "belum dicek"),
        (VerificationResult.CORROBORATED, "mendukung laporan Anda"),
        (VerificationResult.CONTRADICTED, "sudah terlihat buka"),
        (VerificationResult.UNVERIFIABLE, "tidak dapat dicek dengan kamera"),
    ],
)
def test_the_tracking_page_tells_what_the_camera_found_without_pictures(
    client, office, result, words
):
    complaint = submit(office, "")
    Complaint.objects.filter(pk=complaint.pk).update(verification=result)
    html = client.get(f"/pengaduan/lacak/{complaint.tracking_code}/").content.decode()
    finding = html[html.index('id="camera-finding"') :].split("</div>", 1)[0]
    assert words in finding
    assert "<img" not in finding


def test_the_form_says_the_email_is_used_for_status_changes(client, office):
    html = client.get("/pengaduan/").content.decode()
    assert "setiap kali status pengaduan Anda berubah" in html
