"""Staff triage: access, scope, filters, overdue flags, actions with audit, private photo."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from complaints import services
from complaints.models import Complaint
from places.models import AuditLogEntry, Office
from tests.complaints.conftest import image_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
LIST = "/pengaduan/staf/"


def make(office, day=date(2026, 11, 23), hour=8, phone="081200000001", photo=None):
    now = datetime.combine(day, time(hour, 50), tzinfo=WITA)
    return services.submit_complaint(
        services.ComplaintInput(
            office=office,
            visited_at=datetime.combine(day, time(hour, 30), tzinfo=WITA),
            kind="opened_late",
            description="Kantor baru buka jam 09.15.",
            photo_jpeg=photo,
            phone=phone,
            email="",
            source="web",
            ip="10.0.0.7",
        ),
        now,
    )


@pytest.fixture
def staff(client, kendari, make_role_user):
    user = make_role_user("Diskominfo", kendari, username="diskominfo.staf")
    client.force_login(user)
    return user


def test_anonymous_is_sent_to_login(client, office):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_user_without_role_is_forbidden(client, office):
    client.force_login(UserFactory(username="biasa"))
    assert client.get(LIST).status_code == 403


def test_list_flags_overdue_and_filters(client, staff, office, kendari):
    other = Office.objects.exclude(kecamatan=office.kecamatan).first()
    old = make(office)  # received 23 Nov: forward due 26 Nov, overdue by today (24 Nov?)
    fresh = make(other, phone="081200000002")
    Complaint.objects.filter(pk=fresh.pk).update(
        received_on=date(2099, 1, 1), forward_due=date(2099, 1, 4), answer_due=date(2099, 1, 6)
    )
    Complaint.objects.filter(pk=old.pk).update(
        forward_due=date(2026, 1, 5), answer_due=date(2026, 1, 7)
    )
    html = client.get(LIST).content.decode()
    assert old.tracking_code in html
    assert fresh.tracking_code in html
    assert "TERLAMBAT diteruskan" in html
    assert 'id="overdue-banner"' in html
    only_overdue = client.get(LIST, {"terlambat": "1"}).content.decode()
    assert old.tracking_code in only_overdue
    assert fresh.tracking_code not in only_overdue
    by_kecamatan = client.get(LIST, {"kecamatan": other.kecamatan_id}).content.decode()
    assert fresh.tracking_code in by_kecamatan
    assert old.tracking_code not in by_kecamatan
    by_status = client.get(LIST, {"status": "answered"}).content.decode()
    assert old.tracking_code not in by_status
    by_check = client.get(LIST, {"verifikasi": "unverifiable"}).content.decode()
    assert old.tracking_code in by_check
    assert (
        old.tracking_code not in client.get(LIST, {"verifikasi": "corroborated"}).content.decode()
    )


def test_camat_sees_only_their_kecamatan(client, role_users, office):
    other = Office.objects.exclude(kecamatan=office.kecamatan).first()
    mine, theirs = make(office), make(other, phone="081200000002")
    client.force_login(role_users["camat"])
    html = client.get(LIST).content.decode()
    assert mine.tracking_code in html
    assert theirs.tracking_code not in html
    assert client.get(f"{LIST}{theirs.tracking_code}/").status_code == 404


def test_detail_actions_change_state_and_are_audited(client, staff, office):
    complaint = make(office)
    url = f"{LIST}{complaint.tracking_code}/"
    page = client.get(url).content.decode()
    assert "081200000001" in page  # staff see the contact
    assert f"/kantor/{office.code}/?tanggal=2026-11-23" in page
    assert client.post(url, {"action": "assign", "assignee": staff.pk}).status_code == 302
    assert client.post(url, {"action": "verify"}).status_code == 302
    assert client.post(url, {"action": "forward"}).status_code == 302
    assert len(mail.outbox) == 1
    assert complaint.tracking_code in mail.outbox[0].body
    assert "http://testserver/pengaduan/staf/" in mail.outbox[0].body
    assert client.post(url, {"action": "answer", "answer": "Lurah ditegur."}).status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.assigned_to, complaint.answer) == (
        "answered",
        staff,
        "Lurah ditegur.",
    )
    assert client.post(url, {"action": "close"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    refused = client.post(url, {"action": "close"})
    assert refused.status_code == 400
    assert "sudah selesai" in refused.content.decode()
    assert AuditLogEntry.objects.filter(action__startswith="complaint.").count() == 5
    assert complaint.events.exclude(actor=None).count() == 5


def test_answer_with_markup_is_refused(client, staff, office):
    complaint = make(office)
    response = client.post(
        f"{LIST}{complaint.tracking_code}/", {"action": "answer", "answer": "<script>x</script>"}
    )
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.answer == ""
    assert complaint.status == "received"


def test_photo_is_served_to_staff_only(client, office, kendari, make_role_user):
    complaint = make(office, photo=image_bytes())
    url = f"{LIST}{complaint.tracking_code}/foto.jpg"
    assert client.get(url).status_code == 302  # to login
    status_page = client.get(f"/pengaduan/lacak/{complaint.tracking_code}/").content.decode()
    assert "foto.jpg" not in status_page
    assert complaint.photo.name not in status_page
    client.force_login(make_role_user("Diskominfo", kendari, username="foto"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


def test_mayor_reads_complaints_but_cannot_act_on_them(client, office, kendari, make_role_user):
    complaint = make(office)
    client.force_login(make_role_user("Wali Kota", kendari, username="walikota"))
    assert client.get(f"{LIST}{complaint.tracking_code}/").status_code == 200
    response = client.post(
        f"{LIST}{complaint.tracking_code}/", {"action": "answer", "answer": "Sudah ditegur."}
    )
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.answer == ""
