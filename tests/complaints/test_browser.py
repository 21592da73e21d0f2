"""A resident on a cheap phone files a complaint in real headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaints.models import Complaint
from tests.complaints.conftest import recent_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def phone_page(chromium):
    context = chromium.new_context(
        viewport={"width": 360, "height": 740},
        locale="id-ID",
        timezone_id="Asia/Makassar",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    yield page
    context.close()


def test_resident_files_a_complaint_on_a_phone(live_server, phone_page, office, tmp_path):
    page = phone_page
    page.goto(f"{live_server.url}/pengaduan/")
    assert page.locator("html[lang=id]").count() == 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "complaint-form-phone.png"), full_page=True)

    # Searching by kelurahan name narrows the list and picks the only match.
    page.fill("#q", "korumba")
    assert page.input_value("#id_office") == "74.71.01.1006"
    page.fill("#q", "")
    page.select_option("#id_office", "74.71.01.1005")
    visit = recent_visit()
    page.fill("#id_visit_date", visit.date().isoformat())
    page.fill("#id_visit_time", visit.strftime("%H:%M"))
    page.check("input[name=kind][value=closed]")
    page.fill("#id_description", "Pukul 08.30 pintu masih terkunci dan tidak ada petugas.")
    photo = tmp_path / "pintu.jpg"
    from tests.complaints.conftest import image_bytes

    photo.write_bytes(image_bytes(exif=True))
    page.set_input_files("#id_photo", str(photo))
    page.fill("#id_phone", "081234567890")
    page.click("button.primary")

    page.wait_for_selector("#tracking-code")
    code = page.inner_text("#tracking-code").strip()
    assert page.inner_text("#current-status") == "Diterima"
    assert "081234567890" not in page.content()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SCREENSHOTS / "complaint-status-phone.png"), full_page=True)
    complaint = Complaint.objects.get()
    assert complaint.tracking_code == code
    assert complaint.photo.name.startswith("complaints/private/")

    page.click("text=Transparansi")
    page.wait_for_selector("#office-table")
    assert "081234567890" not in page.content()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SCREENSHOTS / "complaint-transparency-phone.png"), full_page=False)
    assert page.console_errors == []


def test_rejection_is_shown_in_indonesian_on_a_phone(live_server, phone_page, office):
    page = phone_page
    page.goto(f"{live_server.url}/pengaduan/")
    page.select_option("#id_office", "74.71.01.1005")
    page.fill("#id_description", "<script>alert(1)</script> tutup")
    page.click("button.primary")
    page.wait_for_selector("#form-error")
    assert "tidak boleh berisi kode HTML" in page.content()
    assert "Isi tanggal kunjungan" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "complaint-errors-phone.png"), full_page=True)
    assert Complaint.objects.count() == 0


def test_staff_triage_pages_render_on_a_phone(
    live_server, phone_page, office, kendari, make_role_user
):
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from complaints import services

    wita = ZoneInfo("Asia/Makassar")
    day = timezone.localdate() - timedelta(days=1)
    complaint = services.submit_complaint(
        services.ComplaintInput(
            office=office,
            visited_at=datetime.combine(day, time(8, 30), tzinfo=wita),
            kind="closed",
            description="Pintu masih terkunci pukul 08.30.",
            photo_jpeg=None,
            phone="081234567890",
            email="",
            source="web",
            ip="10.0.0.1",
        ),
        timezone.now(),
    )
    make_role_user("Diskominfo", kendari, username="triase")
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/?next=/pengaduan/staf/")
    page.fill("#id_username", "triase")
    page.fill("#id_password", "correct horse battery staple")
    page.click("button[type=submit].primary")
    page.wait_for_selector("table.complaints")
    assert complaint.tracking_code in page.content()
    page.screenshot(path=str(SCREENSHOTS / "complaint-staff-list-phone.png"), full_page=True)
    page.click(f"text={complaint.tracking_code}")
    page.wait_for_selector("#verification")
    page.fill("#id_answer", "Lurah sudah ditegur.")
    page.click("button[value=answer]")
    page.wait_for_selector("#staff-status")
    assert page.inner_text("#staff-status") == "Dijawab"
    page.screenshot(path=str(SCREENSHOTS / "complaint-staff-detail-phone.png"), full_page=True)
    assert page.console_errors == []
