"""The command-centre wall (staff) and the public camera page (anyone)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cameras import stills
from cameras.domain.wall import still_slot
from cameras.models import Camera, CameraGroup, CameraKind
from places.models import Kecamatan, LocalGovernment, Office

pytestmark = pytest.mark.django_db

DEMO_FRAME = (
    Path(__file__).resolve().parents[2] / "kelurahan_monitor/demo_frames/one_by_one_room/0020.jpg"
)
SECRET = "rahasia-kamera-123"


@pytest.fixture
def queued(monkeypatch):
    """Captures the pages ask for. Tests run inside a transaction, so the on-commit hand-off
    to Celery runs at once here; the task itself is recorded, not sent."""
    from cameras import stills as stills_module
    from cameras import tasks

    calls: list = []
    monkeypatch.setattr(
        tasks.capture_still,
        "apply_async",
        lambda args, expires=None, **options: calls.append(args),
    )
    monkeypatch.setattr(stills_module.transaction, "on_commit", lambda callback: callback())
    return calls


@pytest.fixture
def konawe(db) -> LocalGovernment:
    government = LocalGovernment.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    for code, name, lat, lon in [
        ("74.02.02", "Unaaha", "-3.853487", "122.057634"),
        ("74.02.03", "Wawotobi", "-3.858554", "122.135253"),
        ("74.02.01", "Lambuya", "-3.967583", "122.047795"),
    ]:
        Kecamatan.objects.create(
            local_government=government, code=code, name=name, latitude=lat, longitude=lon
        )
    return government


def make_public_camera(government, name: str, *, is_public=True, **fields) -> Camera:
    return Camera.objects.create(
        local_government=government,
        kind=CameraKind.PUBLIC_AREA,
        kecamatan=fields.pop("kecamatan", government.kecamatan.get(code="74.02.02")),
        name=name,
        location_name=fields.pop("location_name", "Depan Kantor Bupati"),
        source_url=fields.pop("source_url", f"file://{DEMO_FRAME}"),
        username="admin",
        password=SECRET,
        latitude=fields.pop("latitude", "-3.852000"),
        longitude=fields.pop("longitude", "122.058000"),
        is_public=is_public,
        **fields,
    )


def office_cameras(count: int, start: int = 0) -> list[Camera]:
    cameras = []
    for office in Office.objects.order_by("code")[start : start + count]:
        camera = Camera.for_office(
            office, name="Ruang pelayanan", source_url="http://127.0.0.1:9/snap.jpg"
        )
        camera.password = SECRET
        camera.save()
        cameras.append(camera)
    return cameras


def capture(camera: Camera, when=None) -> int:
    now = when or timezone.now()
    return stills.capture_still(camera.pk, still_slot(now, 30), now).still_id


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Wall ----------------------------------------------------------------------------------


def test_the_wall_needs_a_staff_role(role_users, queued):
    assert Client().get("/pusat-komando/").status_code == 302
    assert logged_in(role_users["no_role"]).get("/pusat-komando/").status_code == 404
    for role in ("wali_kota", "diskominfo", "camat", "auditor"):
        assert logged_in(role_users[role]).get("/pusat-komando/").status_code == 200


def test_the_wall_shows_every_camera_with_its_picture_health_and_verdict(
    role_users, evidence_storage, queued
):
    from compliance.models import DailyVerdict

    cameras = office_cameras(3)
    cameras[0].source_url = f"file://{DEMO_FRAME}"
    cameras[0].save()
    capture(cameras[0])
    capture(cameras[1])  # unreachable: offline
    DailyVerdict.objects.create(
        office=cameras[0].office, date=timezone.localdate(), status="late", minutes_late=25
    )
    response = logged_in(role_users["diskominfo"]).get("/pusat-komando/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="wall-tile health-') == 3
    assert "health-online" in body
    assert "health-offline" in body
    assert "Terlambat" in body
    assert "25 mnt" in body
    assert f"/pusat-komando/kamera/{cameras[0].pk}/gambar/" in body
    assert cameras[0].office.kecamatan.name in body
    assert SECRET not in body
    assert "127.0.0.1" not in body  # no camera address on the wall
    # The camera without a still for this interval (the third) was asked for; the two
    # captured ones were not.
    assert [args[0] for args in queued] == [cameras[2].pk]


def test_the_wall_refreshes_itself_at_a_bounded_rate(role_users, queued, settings):
    settings.WALL_REFRESH_SECONDS = 45
    client = logged_in(role_users["diskominfo"])
    assert 'hx-trigger="every 45s"' in client.get("/pusat-komando/").content.decode()
    assert 'hx-trigger="every 10s"' in client.get("/pusat-komando/?segar=1").content.decode()
    assert 'hx-trigger="every 600s"' in client.get("/pusat-komando/?segar=99999").content.decode()
    assert 'hx-trigger="every 45s"' in client.get("/pusat-komando/?segar=abc").content.decode()
    partial = client.get("/pusat-komando/petak/?segar=20").content.decode()
    assert partial.lstrip().startswith('<div id="wall-grid"')
    assert "segar=20" in partial


def test_operator_groups_arrange_the_wall(role_users, kendari, queued):
    cameras = office_cameras(4)
    group = CameraGroup.objects.create(local_government=kendari, name="Jalan utama")
    group.cameras.add(cameras[1], cameras[3])
    client = logged_in(role_users["wali_kota"])
    body = client.get("/pusat-komando/?menurut=grup").content.decode()
    assert "Jalan utama" in body
    assert body.count('class="wall-tile health-') == 2
    only = client.get(f"/pusat-komando/?menurut=grup&grup={group.pk}").content.decode()
    assert only.count('class="wall-tile health-') == 2
    assert client.get("/pusat-komando/?menurut=grup&grup=x").status_code == 200


def test_a_camat_sees_only_the_cameras_of_their_kecamatan(role_users, queued):
    cameras = office_cameras(20)
    mandonga = [c for c in cameras if c.kecamatan.code == "74.71.01"]
    assert 0 < len(mandonga) < len(cameras)
    body = logged_in(role_users["camat"]).get("/pusat-komando/").content.decode()
    assert body.count('class="wall-tile health-') == len(mandonga)
    other = next(c for c in cameras if c.kecamatan.code != "74.71.01")
    assert (
        logged_in(role_users["camat"]).get(f"/pusat-komando/kamera/{other.pk}/").status_code == 404
    )


def test_the_wall_costs_the_same_queries_for_twenty_or_sixty_cameras(role_users, queued):
    from django.core.cache import cache

    client = logged_in(role_users["diskominfo"])
    office_cameras(20)
    client.get("/pusat-komando/petak/")
    cache.clear()  # a new interval: every camera is asked for again (one insert for all)
    with CaptureQueriesContext(connection) as few:
        client.get("/pusat-komando/petak/")
    office_cameras(40, start=20)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get("/pusat-komando/petak/")
    assert len(many) == len(few)


def test_a_tile_opens_the_cameras_recent_stills_counts_and_health_history(
    role_users, evidence_storage, queued, tmp_path
):
    [camera] = office_cameras(1)
    frame = tmp_path / "f.jpg"
    frame.write_bytes(DEMO_FRAME.read_bytes())
    camera.source_url = f"file://{frame}"
    camera.save()
    start = timezone.now() - timedelta(minutes=5)
    for step in range(3):
        capture(camera, start + timedelta(seconds=30 * step))
    frame.write_bytes(b"garbage")
    capture(camera, start + timedelta(seconds=90))
    response = logged_in(role_users["diskominfo"]).get(f"/pusat-komando/kamera/{camera.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<li><figure><img src="/pusat-komando/kamera/') == 3
    assert "<polyline" in body
    assert "Daring" in body
    assert "Luring" in body
    from places.models import AuditLogEntry

    assert AuditLogEntry.objects.filter(action="wall.camera", target=f"camera {camera.pk}").exists()


def test_wall_stills_are_private_to_staff(role_users, evidence_storage, queued):
    [camera] = office_cameras(1)
    camera.source_url = f"file://{DEMO_FRAME}"
    camera.save()
    still_id = capture(camera)
    url = f"/pusat-komando/kamera/{camera.pk}/gambar/{still_id}.jpg"
    response = logged_in(role_users["auditor"]).get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    assert logged_in(role_users["no_role"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert (
        logged_in(role_users["auditor"]).get(url.replace(f"/{still_id}.", "/999.")).status_code
        == 404
    )


# --- Public page ----------------------------------------------------------------------------


def test_the_public_page_lists_only_public_cameras_with_crowd_level_and_time(
    konawe, evidence_storage, queued
):
    shown = make_public_camera(konawe, "Alun-alun Unaaha", crowd_busy_at=1, crowd_packed_at=3)
    hidden = make_public_camera(konawe, "Gudang Dinas", is_public=False)
    capture(shown)
    capture(hidden)
    response = Client().get("/publik/74.02/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Alun-alun Unaaha" in body
    assert "Gudang Dinas" not in body
    assert "WITA" in body
    assert 'class="crowd crowd-' in body
    assert SECRET not in body
    assert "file://" not in body
    assert "demo_frames" not in body
    assert 'rel="manifest"' in body
    assert "/publik/74.02/kejadian.atom" in body


def test_the_only_government_with_public_cameras_is_the_public_front_door(konawe, queued):
    make_public_camera(konawe, "Alun-alun Unaaha")
    response = Client().get("/publik/")
    assert response.status_code == 302
    assert response["Location"] == "/publik/74.02/"
    assert Client().get("/publik/99.99/").status_code == 404


def test_the_public_json_says_nothing_about_the_camera_itself(konawe, evidence_storage, queued):
    camera = make_public_camera(konawe, "Alun-alun Unaaha")
    capture(camera)
    data = Client().get("/publik/74.02/kamera.json").json()
    [entry] = data["cameras"]
    assert set(entry) == {
        "id",
        "name",
        "picture",
        "captured",
        "online",
        "crowd",
        "crowd_label",
        "status",
        "status_class",
    }
    assert entry["picture"].startswith(f"/publik/74.02/kamera/{camera.pk}/")
    assert entry["crowd"] in ("sepi", "ramai", "padat")
    assert data["zone"] == "WITA"
    raw = json.dumps(data)
    assert SECRET not in raw
    assert "file:" not in raw
    assert "admin" not in raw


def test_many_public_viewers_ask_for_one_capture_per_interval(konawe, queued):
    camera = make_public_camera(konawe, "Alun-alun Unaaha")
    for _viewer in range(25):
        Client().get("/publik/74.02/")
        Client().get("/publik/74.02/kamera.json")
    assert queued == [(camera.pk, still_slot(timezone.now(), 30).isoformat())] or (
        # The interval may have turned during the loop: then one request per interval.
        len(queued) == 2 and {args[0] for args in queued} == {camera.pk}
    )


def test_the_map_works_without_any_outside_request(konawe, queued, settings):
    settings.MAP_TILE_URL = ""
    make_public_camera(konawe, "Alun-alun Unaaha")
    response = Client().get("/publik/74.02/peta/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body
    for name in ("Unaaha", "Wawotobi", "Lambuya"):
        assert name in body
    assert 'class="map-camera"' in body
    assert "http://" not in body.split("<svg", 1)[1]
    assert "https://" not in body.split("<svg", 1)[1]
    assert "img-src 'self' data: blob:" in response["Content-Security-Policy"]


def test_real_tiles_appear_only_when_configured_and_the_policy_allows_them(
    konawe, queued, settings
):
    settings.MAP_TILE_URL = "https://tiles.example.go.id/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "Peta dasar: Diskominfo"
    make_public_camera(konawe, "Alun-alun Unaaha")
    response = Client().get("/publik/74.02/peta/")
    body = response.content.decode()
    assert 'href="https://tiles.example.go.id/' in body
    assert "Peta dasar: Diskominfo" in body
    assert "img-src 'self' https://tiles.example.go.id" in response["Content-Security-Policy"]


def test_the_page_is_installable_as_a_web_app(konawe, queued):
    manifest = Client().get("/publik/74.02/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["start_url"] == "/publik/74.02/"
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    worker = Client().get("/publik/sw.js")
    assert worker["Content-Type"].startswith("application/javascript")
    assert worker["Service-Worker-Allowed"] == "/publik/"
    script = worker.content.decode()
    assert "/publik/luring/" in script
    assert 'addEventListener("fetch"' in script
    assert Client().get("/publik/luring/").status_code == 200


def test_public_page_speaks_english_too(konawe, queued):
    make_public_camera(konawe, "Alun-alun Unaaha")
    body = Client().get("/en/publik/74.02/").content.decode()
    assert "<h1>Public cameras & incident news</h1>" in body
    assert 'lang="en"' in body


# --- A broker that is down ------------------------------------------------------------------


@pytest.fixture
def refused_broker(monkeypatch):
    """The broker refuses connections (a real Redis URL on a port where nothing listens)."""
    import socket

    import kombu.transport.redis  # noqa: F401 - a one-off import, not part of any page view

    from cameras import tasks
    from kelurahan_monitor.celery import app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{port}/0")
    monkeypatch.setattr(tasks.transaction, "on_commit", lambda callback: callback())


def timed_get(client: Client, url: str) -> tuple[int, float]:
    import time

    started = time.perf_counter()
    status = client.get(url).status_code
    return status, time.perf_counter() - started


def test_the_wall_does_not_wait_for_a_broker_that_is_down(role_users, refused_broker):
    from cameras.models import CameraStill

    office_cameras(20)
    client = logged_in(role_users["diskominfo"])
    status, first = timed_get(client, "/pusat-komando/")
    assert status == 200
    assert first < 2.5, f"the wall waited {first:.1f} s for the broker"
    # The captures are claimed as rows, for the next interval's page view to ask again.
    assert CameraStill.objects.filter(status="pending").count() == 20
    status, again = timed_get(client, "/pusat-komando/?segar=30")
    assert status == 200
    assert again < 1.0


def test_the_public_page_does_not_wait_for_a_broker_that_is_down(konawe, refused_broker):
    make_public_camera(konawe, "Alun-alun Unaaha")
    status, seconds = timed_get(Client(), "/publik/74.02/")
    assert status == 200
    assert seconds < 2.5, f"the public page waited {seconds:.1f} s for the broker"
    status, seconds = timed_get(Client(), "/publik/74.02/kamera.json")
    assert (status, seconds < 1.0) == (200, True)
