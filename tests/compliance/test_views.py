"""Dashboard pages: who may see them, what they show, the override form and the evidence guard."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cameras.models import Evidence
from compliance.models import DailyVerdict, VerdictChange
from places.models import Office
from tests.factories import CameraFactory, KecamatanFactory, ObservationFactory, OfficeFactory

pytestmark = pytest.mark.django_db


def page_urls(data) -> list[str]:
    today = data.today.isoformat()
    return [
        reverse("compliance:board"),
        reverse("compliance:day", kwargs={"day": (data.today - timedelta(days=1)).isoformat()}),
        reverse("compliance:board_partial"),
        reverse("compliance:week", kwargs={"day": today}),
        reverse("compliance:month", kwargs={"month": f"{data.today:%Y-%m}"}),
        reverse("compliance:rankings"),
        reverse("compliance:office", kwargs={"code": data.featured.code}),
    ]


def test_every_page_sends_anonymous_visitors_to_the_login(client, dashboard_data):
    # The site root is the public landing page for them (tests/test_landing.py).
    for url in page_urls(dashboard_data)[1:]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_users_without_a_dashboard_role_are_refused(client, plain_user, dashboard_data):
    client.force_login(plain_user)
    for url in page_urls(dashboard_data):
        assert client.get(url).status_code == 403, url


def test_login_page_renders_in_indonesian(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Kata sandi" in response.content.decode()


def test_board_shows_counters_late_list_cameras_down_and_tiles(staff_client, dashboard_data):
    response = staff_client.get(reverse("compliance:board"))

    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Tepat waktu", "Terlambat", "Tidak buka", "Tidak ada data", "Libur"):
        assert label in html
    assert "Kamera mati" in html
    assert dashboard_data.late_office.name in html
    assert html.count('class="tile ') == len(dashboard_data.offices)
    assert "WITA" in html
    assert 'hx-trigger="every 60s"' in html
    assert "vendor/htmx/htmx-2.0.11.min.js" in html
    late = response.context["board"].late
    assert [tile.minutes_late for tile in late] == sorted(
        (tile.minutes_late for tile in late), reverse=True
    )
    assert f'href="/laporan/harian/{dashboard_data.today.isoformat()}.xlsx"' in html
    assert f'href="/laporan/harian/{dashboard_data.today.isoformat()}.csv"' in html


def test_past_day_does_not_refresh_itself(staff_client, dashboard_data):
    day = dashboard_data.today - timedelta(days=3)
    response = staff_client.get(reverse("compliance:day", kwargs={"day": day.isoformat()}))
    assert response.status_code == 200
    assert "every 60s" not in response.content.decode()
    assert response.context["board"].day == day


def test_date_picker_redirects_to_the_day_page(staff_client, dashboard_data):
    day = (dashboard_data.today - timedelta(days=2)).isoformat()
    response = staff_client.get(reverse("compliance:board"), {"tanggal": day})
    assert response.status_code == 302
    assert response["Location"] == reverse("compliance:day", kwargs={"day": day})


@pytest.mark.parametrize("day", ["2026-02-30", "2999-01-01"])
def test_impossible_or_future_days_are_not_found(staff_client, dashboard_data, day):
    response = staff_client.get(reverse("compliance:day", kwargs={"day": day}))
    assert response.status_code == 404


def test_refresh_partial_is_only_the_board_body(staff_client, dashboard_data):
    response = staff_client.get(reverse("compliance:board_partial"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="board-body"')
    assert "<html" not in html
    assert "no-cache" in response["Cache-Control"]


def test_week_month_and_rankings_pages(staff_client, dashboard_data):
    today = dashboard_data.today
    week = staff_client.get(reverse("compliance:week", kwargs={"day": today.isoformat()}))
    month = staff_client.get(reverse("compliance:month", kwargs={"month": f"{today:%Y-%m}"}))
    rankings = staff_client.get(reverse("compliance:rankings"))
    assert week.status_code == month.status_code == rankings.status_code == 200
    assert len(week.context["period"].days) == 7
    assert week.context["period"].first.weekday() == 0
    assert len(rankings.context["rankings"].offices) == len(dashboard_data.offices)
    assert "<polyline" in rankings.content.decode()
    assert f'href="/laporan/bulanan/{today:%Y-%m}.xlsx"' in month.content.decode()


def test_unknown_month_is_not_found(staff_client, dashboard_data):
    assert (
        staff_client.get(reverse("compliance:month", kwargs={"month": "2026-13"})).status_code
        == 404
    )


def test_office_page_shows_timeline_evidence_and_excuses(staff_client, dashboard_data):
    office = dashboard_data.featured
    response = staff_client.get(reverse("compliance:office", kwargs={"code": office.code}))
    html = response.content.decode()
    assert response.status_code == 200
    assert office.name in html
    assert "Linimasa" in html
    image_url = reverse(
        "compliance:evidence_image",
        kwargs={"observation_id": dashboard_data.evidence_observation.pk},
    )
    assert image_url in html
    assert "Renovasi ruang pelayanan" in html
    assert "07:30–16:00" in html or "Jam kerja" in html


def test_unknown_office_is_not_found(staff_client, dashboard_data):
    response = staff_client.get(reverse("compliance:office", kwargs={"code": "99.99.99.9999"}))
    assert response.status_code == 404


def test_staff_override_needs_a_reason_and_lands_in_the_audit_trail(
    staff_client, staff_user, dashboard_data
):
    office = dashboard_data.late_office
    url = reverse("compliance:office", kwargs={"code": office.code})
    url += f"?tanggal={dashboard_data.today.isoformat()}"
    verdict = DailyVerdict.objects.get(office=office, date=dashboard_data.today)

    refused = staff_client.post(url, {"status": "excused", "reason": "   "})
    assert refused.status_code == 400
    assert not VerdictChange.objects.filter(verdict=verdict).exists()

    accepted = staff_client.post(url, {"status": "excused", "reason": "Listrik padam"})
    assert accepted.status_code == 302
    verdict.refresh_from_db()
    assert verdict.effective_status == "excused"
    change = VerdictChange.objects.get(verdict=verdict)
    assert (change.previous_status, change.new_status) == ("late", "excused")
    assert change.changed_by == staff_user

    page = staff_client.get(url).content.decode()
    assert "Listrik padam" in page
    assert "Terlambat → Dikecualikan" in page


def test_users_without_a_role_cannot_override(client, plain_user, dashboard_data):
    client.force_login(plain_user)
    url = reverse("compliance:office", kwargs={"code": dashboard_data.late_office.code})
    response = client.post(url, {"status": "on_time", "reason": "x"})
    assert response.status_code == 403
    assert not VerdictChange.objects.exists()


def test_evidence_is_streamed_to_staff_and_never_cached(staff_client, dashboard_data):
    url = reverse(
        "compliance:evidence_image",
        kwargs={"observation_id": dashboard_data.evidence_observation.pk},
    )
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_evidence_is_hidden_from_anonymous_and_roleless_users(client, plain_user, dashboard_data):
    url = reverse(
        "compliance:evidence_image",
        kwargs={"observation_id": dashboard_data.evidence_observation.pk},
    )
    assert client.get(url).status_code == 302
    client.force_login(plain_user)
    assert client.get(url).status_code == 404


def test_evidence_without_an_image_is_not_found(staff_client, dashboard_data, evidence_storage):
    other = ObservationFactory(
        camera=dashboard_data.evidence_observation.camera,
        slot=timezone.now() - timedelta(days=400),
        office_date=dashboard_data.today - timedelta(days=400),
    )
    assert (
        staff_client.get(
            reverse("compliance:evidence_image", kwargs={"observation_id": other.pk})
        ).status_code
        == 404
    )
    evidence = Evidence.objects.get(observation=dashboard_data.evidence_observation)
    evidence.image.storage.delete(evidence.image.name)  # purged by retention
    url = reverse(
        "compliance:evidence_image",
        kwargs={"observation_id": dashboard_data.evidence_observation.pk},
    )
    assert staff_client.get(url).status_code == 404


def test_pages_speak_english_under_the_en_prefix(staff_client, dashboard_data):
    with translation.override("id"):  # LocaleMiddleware leaves "en" active in this thread
        response = staff_client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "On time" in html


def _board_view_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("compliance:board")).status_code == 200
    return len(queries)


def test_board_page_query_count_does_not_grow_with_the_number_of_offices(
    staff_client, dashboard_data
):
    with_65 = _board_view_queries(staff_client)
    kecamatan = KecamatanFactory(name="Tambahan")
    for index in range(60):
        office = OfficeFactory(kecamatan=kecamatan, name=f"Tambahan {index}")
        DailyVerdict.objects.create(
            office=office, date=dashboard_data.today, status="late", minutes_late=index + 16
        )
        CameraFactory(office=office)
    assert Office.objects.filter(active=True).count() == 125
    assert _board_view_queries(staff_client) == with_65


def test_a_mayor_reads_but_may_not_correct_verdicts(client, make_role_user, dashboard_data):
    mayor = make_role_user("Wali Kota", dashboard_data.offices[0].kecamatan.local_government)
    client.force_login(mayor)
    url = reverse("compliance:office", kwargs={"code": dashboard_data.late_office.code})
    page = client.get(url)
    assert page.status_code == 200
    assert "Simpan koreksi" not in page.content.decode()
    assert client.post(url, {"status": "on_time", "reason": "x"}).status_code == 403
    assert not VerdictChange.objects.exists()


def test_a_camat_cannot_open_an_office_outside_their_kecamatan(
    client, make_role_user, dashboard_data
):
    own = dashboard_data.featured.kecamatan
    camat = make_role_user("Camat", own.local_government, own, username="camat")
    client.force_login(camat)
    outside = next(office for office in dashboard_data.offices if office.kecamatan_id != own.pk)
    inside_url = reverse("compliance:office", kwargs={"code": dashboard_data.featured.code})
    outside_url = reverse("compliance:office", kwargs={"code": outside.code})
    assert client.get(inside_url).status_code == 200
    assert client.get(outside_url).status_code == 404
    board = client.get(reverse("compliance:board"))
    assert board.context["board"].total == own.offices.count()
    assert "Excel harian" not in board.content.decode()  # a camat does not export


def test_viewing_evidence_is_audited(staff_client, staff_user, dashboard_data):
    from places.models import AuditLogEntry

    url = reverse(
        "compliance:evidence_image",
        kwargs={"observation_id": dashboard_data.evidence_observation.pk},
    )
    assert staff_client.get(url).status_code == 200
    entry = AuditLogEntry.objects.get(action="evidence")
    assert (entry.user, entry.target) == (staff_user, url)


def test_office_page_lists_its_complaints_without_contact_details(staff_client, dashboard_data):
    from complaints.models import Complaint

    office = dashboard_data.late_office
    Complaint.objects.create(
        tracking_code="KDI-TEST-0001",
        office=office,
        visited_at=timezone.now() - timedelta(hours=2),
        kind=Complaint._meta.get_field("kind").choices[0][0],
        description="Kantor masih tutup pukul 08.00",
        contact_phone="081234567890",
        received_on=dashboard_data.today,
        forward_due=dashboard_data.today + timedelta(days=1),
        answer_due=dashboard_data.today + timedelta(days=5),
    )
    html = staff_client.get(
        reverse("compliance:office", kwargs={"code": office.code})
    ).content.decode()
    assert "KDI-TEST-0001" in html
    assert "081234567890" not in html


@pytest.mark.django_db
def test_demo_pages_credit_the_cc_by_frames(client, settings, role_users):
    client.force_login(role_users["diskominfo"])
    settings.DEMO_MODE = False
    assert "intel-iot-devkit" not in client.get("/").content.decode()
    settings.DEMO_MODE = True
    assert "berlisensi CC BY 4.0" in client.get("/").content.decode()
    assert "licensed under CC BY 4.0" in client.get("/en/").content.decode()
