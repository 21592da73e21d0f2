"""Kota Kendari and Kabupaten Konawe in one deployment: the command-centre wall, incident posts
and stored reports of one government never reach the other's staff; a camat sees only the
cameras of their own kecamatan."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from cameras.models import Camera, CameraGroup, CameraStill
from incidents.models import Incident
from places.models import AuditLogEntry, Kecamatan, LocalGovernment, Office
from reports.models import Report

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
REPORT_DAY = date(2026, 11, 24)
DEMO_FRAME = (
    settings.BASE_DIR / "kelurahan_monitor" / "demo_frames" / "one_by_one_room" / "0012.jpg"
)


@dataclass
class Deployment:
    kendari: LocalGovernment
    konawe: LocalGovernment
    # Kendari: Mandonga (office + public area), Kadia (office), Kecamatan Kendari (public area).
    mandonga_office_camera: Camera
    mandonga_public_camera: Camera
    kadia_office_camera: Camera
    harbour_camera: Camera
    # Konawe: Unaaha (office + public area).
    konawe_office_camera: Camera
    konawe_public_camera: Camera
    stills: dict[int, CameraStill]

    @property
    def kendari_cameras(self) -> list[Camera]:
        return [
            self.mandonga_office_camera,
            self.mandonga_public_camera,
            self.kadia_office_camera,
            self.harbour_camera,
        ]

    @property
    def konawe_cameras(self) -> list[Camera]:
        return [self.konawe_office_camera, self.konawe_public_camera]


def give_picture(camera: Camera) -> CameraStill:
    """A finished still with a staff picture, as the capture service leaves it."""
    now = datetime.now(tz=WITA).replace(microsecond=0)
    still = CameraStill.objects.create(
        camera=camera, slot=now - timedelta(seconds=now.second % 30), status="ok", captured_at=now
    )
    still.image.save(f"{camera.pk}/still.jpg", ContentFile(DEMO_FRAME.read_bytes()), save=True)
    Camera.objects.filter(pk=camera.pk).update(
        latest_still=still, latest_picture=still, health_state="online", health_since=now
    )
    return still


def public_area(government, kecamatan_code: str, name: str) -> Camera:
    return Camera.objects.create(
        local_government=government,
        kind="public_area",
        kecamatan=Kecamatan.objects.get(code=kecamatan_code),
        name=name,
        source_url=DEMO_FRAME.as_uri(),
        is_public=True,
    )


def office_camera(office_code: str, name: str) -> Camera:
    camera = Camera.for_office(
        Office.objects.get(code=office_code), name=name, source_url=DEMO_FRAME.as_uri()
    )
    camera.save()
    return camera


@pytest.fixture
def deployment(kendari, evidence_storage) -> Deployment:
    call_command("seed_konawe", stdout=io.StringIO())
    konawe = LocalGovernment.objects.get(code="74.02")
    Office.objects.create(
        code="74.02.02.1001", name="Tumpas", kecamatan=Kecamatan.objects.get(code="74.02.02")
    )
    kadia_office = Office.objects.filter(kecamatan__code="74.71.08").order_by("code").first()
    data = Deployment(
        kendari=kendari,
        konawe=konawe,
        mandonga_office_camera=office_camera("74.71.01.1005", "Loket Mandonga Satu"),
        mandonga_public_camera=public_area(kendari, "74.71.01", "Simpang Tugu MTQ"),
        kadia_office_camera=office_camera(kadia_office.code, "Loket Kadia Dua"),
        harbour_camera=public_area(kendari, "74.71.02", "Pelabuhan Nusantara"),
        konawe_office_camera=office_camera("74.02.02.1001", "Loket Tumpas Unaaha"),
        konawe_public_camera=public_area(konawe, "74.02.02", "Alun-alun Unaaha"),
        stills={},
    )
    for camera in data.kendari_cameras + data.konawe_cameras:
        data.stills[camera.pk] = give_picture(camera)
    group = CameraGroup.objects.create(local_government=kendari, name="Titik rawan banjir")
    group.cameras.set([data.harbour_camera, data.mandonga_public_camera])
    return data


@pytest.fixture
def konawe_staff(deployment, make_role_user):
    return make_role_user("Diskominfo", deployment.konawe, username="kominfo.konawe")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Command-centre wall -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/pusat-komando/", "/pusat-komando/petak/"])
def test_konawe_wall_shows_only_konawe_cameras(deployment, konawe_staff, role_users, path):
    konawe_wall = body_of(logged_in(konawe_staff).get(path))
    for camera in deployment.konawe_cameras:
        assert camera.name in konawe_wall
        still = deployment.stills[camera.pk]
        assert f"/pusat-komando/kamera/{camera.pk}/gambar/{still.pk}.jpg" in konawe_wall
    for camera in deployment.kendari_cameras:
        assert camera.name not in konawe_wall
        assert f"/pusat-komando/kamera/{camera.pk}/" not in konawe_wall
    assert "Mandonga" not in konawe_wall

    # The same page for Kendari's Diskominfo is the mirror image.
    kendari_wall = body_of(logged_in(role_users["diskominfo"]).get(path))
    for camera in deployment.kendari_cameras:
        assert camera.name in kendari_wall
    for camera in deployment.konawe_cameras:
        assert camera.name not in kendari_wall


def test_konawe_wall_cannot_open_a_kendari_camera_group(deployment, konawe_staff):
    group = CameraGroup.objects.get(name="Titik rawan banjir")
    wall = body_of(logged_in(konawe_staff).get(f"/pusat-komando/?menurut=grup&grup={group.pk}"))
    assert "Titik rawan banjir" not in wall
    for camera in deployment.kendari_cameras:
        assert camera.name not in wall


def test_konawe_staff_get_404_for_kendari_camera_pages_and_pictures(
    deployment, konawe_staff, role_users
):
    konawe = logged_in(konawe_staff)
    kendari = logged_in(role_users["diskominfo"])
    for camera in deployment.kendari_cameras:
        still = deployment.stills[camera.pk]
        detail = f"/pusat-komando/kamera/{camera.pk}/"
        picture = f"/pusat-komando/kamera/{camera.pk}/gambar/{still.pk}.jpg"
        assert konawe.get(detail).status_code == 404, camera.name
        assert konawe.get(picture).status_code == 404, camera.name
        assert kendari.get(detail).status_code == 200, camera.name
        assert kendari.get(picture).status_code == 200, camera.name
    own = deployment.konawe_office_camera
    response = konawe.get(
        f"/pusat-komando/kamera/{own.pk}/gambar/{deployment.stills[own.pk].pk}.jpg"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DEMO_FRAME.read_bytes()
    # A Kendari still id under a Konawe camera id is no way round either.
    kendari_still = deployment.stills[deployment.harbour_camera.pk]
    assert (
        konawe.get(f"/pusat-komando/kamera/{own.pk}/gambar/{kendari_still.pk}.jpg").status_code
        == 404
    )


def test_camat_sees_only_the_cameras_of_their_kecamatan(deployment, role_users):
    camat = logged_in(role_users["camat"])  # Kecamatan Mandonga
    mandonga = [deployment.mandonga_office_camera, deployment.mandonga_public_camera]
    elsewhere = [deployment.kadia_office_camera, deployment.harbour_camera]
    elsewhere += deployment.konawe_cameras

    for path in ("/pusat-komando/", "/pusat-komando/petak/"):
        wall = body_of(camat.get(path))
        for camera in mandonga:
            assert camera.name in wall, camera.name
        for camera in elsewhere:
            assert camera.name not in wall, camera.name
    for camera in mandonga:
        assert camat.get(f"/pusat-komando/kamera/{camera.pk}/").status_code == 200
    for camera in elsewhere:
        still = deployment.stills[camera.pk]
        assert camat.get(f"/pusat-komando/kamera/{camera.pk}/").status_code == 404
        picture = f"/pusat-komando/kamera/{camera.pk}/gambar/{still.pk}.jpg"
        assert camat.get(picture).status_code == 404


# --- Incident posts ----------------------------------------------------------------------------


@pytest.fixture
def incidents(deployment, role_users, konawe_staff) -> dict[str, Incident]:
    now = datetime.now(tz=WITA)
    common = {"starts_at": now - timedelta(hours=1), "expires_at": now + timedelta(hours=3)}
    return {
        "kendari": Incident.objects.create(
            local_government=deployment.kendari,
            kind="banjir",
            title="Banjir di Jl. Malaka Kendari",
            place="Jl. Malaka",
            camera=deployment.harbour_camera,
            created_by=role_users["diskominfo"],
            **common,
        ),
        "konawe": Incident.objects.create(
            local_government=deployment.konawe,
            kind="macet",
            title="Antrean di jembatan Unaaha",
            place="Jembatan Sungai Konaweha",
            created_by=konawe_staff,
            **common,
        ),
    }


def test_konawe_staff_never_see_or_touch_kendari_incidents(incidents, konawe_staff):
    kendari_post = incidents["kendari"]
    page = logged_in(konawe_staff)
    api = api_as(konawe_staff)

    listing = body_of(page.get("/kejadian/"))
    assert "Antrean di jembatan Unaaha" in listing
    assert kendari_post.title not in listing
    assert [row["id"] for row in api.get("/api/v1/incidents/").json()["results"]] == [
        incidents["konawe"].pk
    ]
    assert api.get(f"/api/v1/incidents/{kendari_post.pk}/").status_code == 404
    patch = api.patch(f"/api/v1/incidents/{kendari_post.pk}/", {"title": "x"}, format="json")
    assert patch.status_code == 404
    assert api.delete(f"/api/v1/incidents/{kendari_post.pk}/").status_code == 404
    assert page.get(f"/kejadian/{kendari_post.pk}/ubah/").status_code == 404
    assert page.post(f"/kejadian/{kendari_post.pk}/hapus/").status_code == 404

    kendari_post.refresh_from_db()
    assert kendari_post.title == "Banjir di Jl. Malaka Kendari"
    assert kendari_post.removed_at is None
    assert not AuditLogEntry.objects.filter(action__startswith="incident.").exists()


def post_form(camera: Camera) -> dict:
    return {
        "kind": "banjir",
        "severity": "sedang",
        "title": "Banjir kiriman",
        "place": "Unaaha",
        "camera": str(camera.pk),
        "starts_at": "2026-11-24T08:00",
        "expires_at": "2026-11-24T12:00",
    }


def test_konawe_staff_cannot_link_a_kendari_camera(deployment, incidents, konawe_staff):
    page = logged_in(konawe_staff)
    api = api_as(konawe_staff)
    kendari_camera = deployment.mandonga_public_camera
    before = Incident.objects.count()

    form = page.post("/kejadian/", post_form(kendari_camera))
    assert form.status_code == 400
    assert "camera" in form.context["form"].errors
    assert kendari_camera.name not in form.content.decode()  # not even offered

    created = api.post(
        "/api/v1/incidents/",
        {
            **post_form(kendari_camera),
            "camera": kendari_camera.pk,
            "starts_at": "2026-11-24T08:00:00+08:00",
            "expires_at": "2026-11-24T12:00:00+08:00",
        },
        format="json",
    )
    assert created.status_code == 400
    assert "camera" in created.json()["error"]["fields"]

    own = incidents["konawe"]
    edit = page.post(f"/kejadian/{own.pk}/ubah/", post_form(kendari_camera))
    assert edit.status_code == 400
    patch = api.patch(f"/api/v1/incidents/{own.pk}/", {"camera": kendari_camera.pk}, format="json")
    assert patch.status_code == 400
    own.refresh_from_db()
    assert own.camera is None
    assert not own.still
    assert Incident.objects.count() == before

    # The control: Konawe's own public camera is accepted.
    ok = page.post("/kejadian/", post_form(deployment.konawe_public_camera))
    assert ok.status_code == 302
    assert Incident.objects.filter(camera=deployment.konawe_public_camera).count() == 1


# --- Stored reports ----------------------------------------------------------------------------


@pytest.fixture
def stored_reports(deployment, settings, tmp_path):
    from reports.services import build_daily_report

    settings.REPORTS_ROOT = tmp_path / "reports"
    now = datetime(2026, 11, 24, 10, 0, tzinfo=WITA)
    legacy_file = settings.REPORTS_ROOT / "harian" / "2026" / "laporan-lama.xlsx"
    legacy_file.parent.mkdir(parents=True)
    legacy_file.write_bytes(b"PK legacy workbook of the whole deployment")
    return {
        "kendari": build_daily_report(REPORT_DAY, "pagi", now, government=deployment.kendari),
        "konawe": build_daily_report(REPORT_DAY, "pagi", now, government=deployment.konawe),
        # Built before reports were per government: only a superuser may see it.
        "legacy": Report.objects.create(
            local_government=None,
            kind="morning",
            date=date(2026, 10, 1),
            file_path="harian/2026/laporan-lama.xlsx",
        ),
    }


def workbook_text(content: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


@pytest.mark.parametrize(("own", "other"), [("konawe", "kendari"), ("kendari", "konawe")])
def test_each_government_lists_and_downloads_only_its_own_reports(
    stored_reports, konawe_staff, role_users, own, other
):
    user = konawe_staff if own == "konawe" else role_users["diskominfo"]
    mine, theirs = stored_reports[own], stored_reports[other]
    assert mine.pk != theirs.pk
    assert mine.filename == theirs.filename  # same name: only the id tells them apart
    page = logged_in(user)
    api = api_as(user)

    listing = body_of(page.get("/laporan/"))
    assert f"/laporan/arsip/{mine.pk}/" in listing
    assert f"/laporan/arsip/{theirs.pk}/" not in listing
    assert [row["id"] for row in api.get("/api/v1/reports/").json()["results"]] == [mine.pk]

    for hidden in (theirs, stored_reports["legacy"]):
        assert f"/laporan/arsip/{hidden.pk}/" not in listing
        assert page.get(f"/laporan/arsip/{hidden.pk}/").status_code == 404
        assert api.get(f"/api/v1/reports/{hidden.pk}/").status_code == 404
        assert api.get(f"/api/v1/reports/{hidden.pk}/download/").status_code == 404

    own_prefix, other_prefix = ("74.02.", "74.71.") if own == "konawe" else ("74.71.", "74.02.")
    for response in (
        page.get(f"/laporan/arsip/{mine.pk}/"),
        api.get(f"/api/v1/reports/{mine.pk}/download/"),
    ):
        assert response.status_code == 200
        text = workbook_text(b"".join(response.streaming_content))
        assert own_prefix in text
        assert other_prefix not in text


def test_scheduled_daily_report_goes_to_each_government_separately(deployment, settings, tmp_path):
    from django.core import mail

    from reports.services import build_and_send_daily_report

    settings.REPORTS_ROOT = tmp_path / "reports"
    settings.REPORT_RECIPIENTS = ["pusat@example.org"]
    LocalGovernment.objects.filter(code="74.71").update(report_emails="walikota@kendarikota.go.id")
    LocalGovernment.objects.filter(code="74.02").update(report_emails="bupati@konawekab.go.id")
    now = datetime(2026, 11, 24, 10, 0, tzinfo=WITA)

    reports = build_and_send_daily_report("pagi", REPORT_DAY, now)

    assert sorted(report.local_government.code for report in reports) == ["74.02", "74.71"]
    assert len({report.file_path for report in reports}) == 2
    sent = {tuple(message.to): message for message in mail.outbox}
    assert set(sent) == {("walikota@kendarikota.go.id",), ("bupati@konawekab.go.id",)}
    for address, own, other in (
        ("walikota@kendarikota.go.id", "74.71.", "74.02."),
        ("bupati@konawekab.go.id", "74.02.", "74.71."),
    ):
        ((_name, content, _type),) = sent[(address,)].attachments
        text = workbook_text(content)
        assert own in text
        assert other not in text
    # Saturday: no office works in either government, so nobody gets a report.
    mail.outbox.clear()
    assert build_and_send_daily_report("pagi", date(2026, 11, 28), now) == []
    assert mail.outbox == []
