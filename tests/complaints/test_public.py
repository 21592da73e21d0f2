"""The public side: form, rejections (each with a clear message, nothing stored), status and
transparency pages."""

from __future__ import annotations

import gzip
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import services
from complaints.models import Complaint, ComplaintStatus
from compliance.models import DailyVerdict
from tests.complaints.conftest import image_bytes, local_now, recent_visit

pytestmark = pytest.mark.django_db
URL = "/pengaduan/"


def form_data(the_office, **overrides):
    visit = recent_visit()
    data = {
        "office": the_office.code,
        "visit_date": visit.date().isoformat(),
        "visit_time": visit.strftime("%H:%M"),
        "kind": "closed",
        "description": "Pukul 08.30 pintu kantor masih terkunci, tidak ada petugas.",
        "phone": "0812 3456 7890",
        "email": "",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post(client, data, ip="10.0.0.1", **files):
    return client.post(URL, {**data, **files}, REMOTE_ADDR=ip)


def test_reverse_names_are_the_agreed_urls():
    assert reverse("complaints:new") == "/pengaduan/"
    assert reverse("complaints:status", kwargs={"code": "ABC"}) == "/pengaduan/lacak/ABC/"
    assert reverse("complaints:transparency") == "/pengaduan/transparansi/"
    assert reverse("open311:requests") == "/open311/v2/requests.json"


def test_form_page_is_light_and_indonesian(client, office):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Kirim pengaduan" in html
    assert "Mandonga" in html
    assert len(response.content) < 40_000
    assert "htmx" not in html
    # The product's one stylesheet (cached across pages) keeps the page light too.
    stylesheet = settings.BASE_DIR / "kelurahan_monitor" / "static" / "css" / "monitor.css"
    assert "css/monitor.css" in html
    assert len(gzip.compress(stylesheet.read_bytes())) < 12_000


def test_search_filters_offices_by_kecamatan_without_javascript(client, office):
    html = client.get(URL, {"q": "mandonga"}).content.decode()
    assert 'value="74.71.01.1005"' in html
    assert "Kec. Baruga" not in html


def test_valid_complaint_is_stored_with_clean_photo_and_due_dates(client, office, jpeg_with_gps):
    photo = SimpleUploadedFile("foto.jpg", jpeg_with_gps, content_type="image/jpeg")
    response = post(client, form_data(office), photo=photo)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/pengaduan/lacak/{complaint.tracking_code}/"
    assert len(complaint.tracking_code) == 10
    assert set(complaint.tracking_code) <= set(services.TRACKING_ALPHABET)
    assert complaint.contact_phone == "081234567890"
    assert complaint.ip_hash
    assert "10.0.0.1" not in complaint.ip_hash
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.verification == "unverifiable"  # no camera data at all
    assert complaint.forward_due > complaint.received_on
    assert complaint.answer_due > complaint.forward_due
    assert complaint.photo.name.startswith("complaints/private/")
    stored = complaint.photo.read()
    assert stored.startswith(b"\xff\xd8\xff")
    assert b"SecretPhoneMaker" not in stored
    assert [e.action for e in complaint.events.all()] == ["created", "checked"]


def _big_jpeg_file() -> bytes:
    return b"\xff\xd8\xff\xe0" + b"\x00" * (5 * 1024 * 1024 + 10)


REJECTIONS = [
    ("missing-office", {"office": ""}, {}, "Pilih kantor kelurahan"),
    ("unknown-office", {"office": "74.71.99.9999"}, {}, "Kantor kelurahan tidak dikenal"),
    ("missing-date", {"visit_date": ""}, {}, "Isi tanggal kunjungan"),
    ("bad-time", {"visit_time": "25:99"}, {}, "Jam kunjungan tidak valid"),
    ("future", {"visit_date": "FUTURE"}, {}, "tidak boleh di masa depan"),
    ("too-old", {"visit_date": "OLD"}, {}, "lebih dari 30 hari"),
    ("missing-kind", {"kind": ""}, {}, "Pilih apa yang terjadi"),
    ("unknown-kind", {"kind": "bribery"}, {}, "Pilihan kejadian tidak dikenal"),
    ("missing-description", {"description": ""}, {}, "Tuliskan uraian singkat"),
    ("short-description", {"description": "tutup"}, {}, "Uraian terlalu pendek"),
    ("long-description", {"description": "a" * 2001}, {}, "Uraian terlalu panjang"),
    ("script-tag", {"description": "<script>alert('x')</script> kantor tutup"}, {}, "kode HTML"),
    ("img-onerror", {"description": "kantor tutup <img src=x onerror=alert(1)>"}, {}, "kode HTML"),
    ("js-url", {"description": "lihat javascript:alert(1) kantor tutup"}, {}, "kode HTML"),
    ("bad-phone", {"phone": "12345"}, {}, "Nomor HP tidak valid"),
    ("bad-email", {"email": "bukan-email"}, {}, "e-mail tidak valid"),
    (
        "fake-image",
        {},
        {"photo": ("foto.jpg", b"not an image at all", "image/jpeg")},
        "JPEG atau PNG",
    ),
    (
        "png-script",
        {},
        {"photo": ("foto.png", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", "image/png")},
        "Foto tidak dapat dibaca",
    ),
    ("gif", {}, {"photo": ("foto.gif", b"GIF89a" + b"\x00" * 64, "image/gif")}, "JPEG atau PNG"),
    ("oversized", {}, {"photo": ("foto.jpg", "BIG", "image/jpeg")}, "maksimal 5 MB"),
]


@pytest.mark.parametrize(
    ("overrides", "files", "message"),
    [pytest.param(o, f, m, id=name) for name, o, f, m in REJECTIONS],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(
    client, office, overrides, files, message
):
    now = local_now()
    if overrides.get("visit_date") == "FUTURE":
        overrides = {**overrides, "visit_date": (now + timedelta(days=1)).date().isoformat()}
    if overrides.get("visit_date") == "OLD":
        overrides = {**overrides, "visit_date": (now - timedelta(days=31)).date().isoformat()}
    uploads = {}
    for name, (filename, content, content_type) in files.items():
        data = _big_jpeg_file() if content == "BIG" else content
        uploads[name] = SimpleUploadedFile(filename, data, content_type=content_type)
    response = post(client, form_data(office, **overrides), **uploads)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Periksa kembali isian" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_request_body_far_over_the_limit_is_refused_before_parsing(client, office):
    response = client.post(
        URL,
        {**form_data(office), "photo": SimpleUploadedFile("x.jpg", b"\xff" * (6 * 1024 * 1024))},
    )
    assert response.status_code == 413
    assert "Kiriman terlalu besar" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_rejected_form_keeps_what_the_citizen_typed(client, office):
    response = post(client, form_data(office, phone="12345"))
    html = response.content.decode()
    assert "Pukul 08.30 pintu kantor masih terkunci" in html
    assert 'value="74.71.01.1005" data-k="Mandonga" selected' in html


def test_honeypot_is_refused_with_a_message(client, office):
    response = post(client, form_data(office, website="http://spam.example"))
    assert response.status_code == 400
    assert "tidak dapat diproses" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_csrf_token_is_required(office):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(URL, form_data(office))
    assert response.status_code == 403
    assert Complaint.objects.count() == 0


def test_flooding_from_one_address_hits_the_rate_limit(client, office):
    for hour in range(1, 6):
        visit = recent_visit(hours=hour)
        data = form_data(
            office,
            phone="",
            email=f"warga{hour}@example.com",
            visit_date=visit.date().isoformat(),
            visit_time=visit.strftime("%H:%M"),
        )
        assert post(client, data).status_code == 302
    response = post(client, form_data(office, phone="", email="warga9@example.com"))
    assert response.status_code == 429
    assert "Terlalu banyak pengaduan" in response.content.decode()
    assert Complaint.objects.count() == 5


def test_one_contact_is_limited_per_day_across_addresses(client, office):
    for hour in range(1, 4):
        visit = recent_visit(hours=hour)
        data = form_data(
            office, visit_date=visit.date().isoformat(), visit_time=visit.strftime("%H:%M")
        )
        assert post(client, data, ip=f"10.0.1.{hour}").status_code == 302
    response = post(client, form_data(office, phone="+62 812-3456-7890"), ip="10.0.2.1")
    assert response.status_code == 429
    assert "Kontak ini sudah mengirim 3 pengaduan" in response.content.decode()
    assert Complaint.objects.count() == 3


def test_duplicate_same_office_hour_and_contact_is_refused(client, office):
    assert post(client, form_data(office)).status_code == 302
    response = post(client, form_data(office), ip="10.9.9.9")
    assert response.status_code == 400
    assert "sudah kami terima" in response.content.decode()
    assert Complaint.objects.count() == 1


def test_complaint_survives_a_failing_camera_check(client, office, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database of observations unavailable")

    monkeypatch.setattr(services, "verify_complaint", broken)
    response = post(client, form_data(office))
    assert response.status_code == 302
    assert Complaint.objects.get().verification == "pending"


def test_status_page_shows_progress_but_never_contact_data(client, office):
    post(client, form_data(office, email="rahasia@example.com", phone="081299998888"))
    complaint = Complaint.objects.get()
    services.answer_complaint(
        complaint, None, "Lurah sudah ditegur; mulai besok buka 07.30.", local_now()
    )
    response = client.get(f"/pengaduan/lacak/{complaint.tracking_code.lower()}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert complaint.tracking_code in html
    assert "Lurah sudah ditegur" in html
    assert "Dijawab" in html
    for secret in (
        "rahasia@example.com",
        "081299998888",
        complaint.ip_hash,
        complaint.contact_hash,
    ):
        assert secret not in html
    assert 'name="robots" content="noindex"' in html


def test_unknown_tracking_code_is_404(client, kendari):
    assert client.get("/pengaduan/lacak/ZZZZZZZZZZ/").status_code == 404
    response = client.get("/pengaduan/lacak/", {"kode": "ZZZZZZZZZZ"})
    assert response.status_code == 404
    assert "Kode lacak tidak ditemukan" in response.content.decode()


def test_track_form_redirects_to_status(client, office):
    post(client, form_data(office))
    code = Complaint.objects.get().tracking_code
    response = client.get("/pengaduan/lacak/", {"kode": f" {code.lower()} "})
    assert response["Location"] == f"/pengaduan/lacak/{code}/"


def test_citizen_reply_sends_the_complaint_back_to_the_office(client, office):
    post(client, form_data(office))
    complaint = Complaint.objects.get()
    services.answer_complaint(complaint, None, "Sudah ditindaklanjuti.", local_now())
    response = client.post(
        f"/pengaduan/lacak/{complaint.tracking_code}/", {"reply": "Besoknya masih tutup juga."}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.FORWARDED
    assert complaint.close_due is None
    assert complaint.citizen_replied_at is not None


def test_transparency_page_shows_rates_and_counts_without_personal_data(client, office):
    post(client, form_data(office, email="rahasia@example.com"))
    today = local_now().date()
    DailyVerdict.objects.create(office=office, date=today - timedelta(days=1), status="on_time")
    DailyVerdict.objects.create(office=office, date=today - timedelta(days=2), status="late")
    response = client.get("/pengaduan/transparansi/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mandonga" in html
    assert "50%" in html
    assert "1 pengaduan warga diterima" in html
    assert "rahasia@example.com" not in html
    assert "081234567890" not in html
    assert "pintu kantor masih terkunci" not in html


def test_english_form_is_available(client, office):
    html = client.get("/en/pengaduan/").content.decode()
    assert '<html lang="en">' in html


def test_io_module_is_used():
    assert io.BytesIO(image_bytes()).read(3) == b"\xff\xd8\xff"
