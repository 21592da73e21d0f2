"""Wall and public stills: one capture per camera per interval, blurred, idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.test import Client

from cameras import services, stills
from cameras.domain.wall import still_slot
from cameras.models import Camera, CameraKind, CameraStill, HealthState
from cameras.vision import get_detector
from places.models import Kecamatan, LocalGovernment

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 1, 0, 10, tzinfo=UTC)  # 09:00:10 WITA
DEMO_FRAME = (
    Path(__file__).resolve().parents[2] / "kelurahan_monitor/demo_frames/one_by_one_room/0001.jpg"
)


@pytest.fixture
def konawe(db) -> LocalGovernment:
    government = LocalGovernment.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    Kecamatan.objects.create(
        local_government=government,
        code="74.02.02",
        name="Unaaha",
        latitude="-3.853487",
        longitude="122.057634",
    )
    return government


def public_camera(government, source: Path | str, **fields) -> Camera:
    url = source if isinstance(source, str) else f"file://{source}"
    return Camera.objects.create(
        local_government=government,
        kind=CameraKind.PUBLIC_AREA,
        kecamatan=government.kecamatan.first(),
        name=fields.pop("name", "Alun-alun Unaaha"),
        source_url=url,
        is_public=fields.pop("is_public", True),
        **fields,
    )


@pytest.fixture
def queued(monkeypatch, django_capture_on_commit_callbacks):
    """Captures queued by queue_still_captures (the Celery call is recorded, not sent)."""
    from cameras import tasks

    calls: list[tuple] = []
    monkeypatch.setattr(
        tasks.capture_still,
        "apply_async",
        lambda args, expires=None, **options: calls.append((args, expires)),
    )
    return calls


def request(cameras: list[Camera], now: datetime) -> int:
    """What a page does: claim the stale cameras' stills, then enqueue their captures."""
    from cameras import tasks

    claimed = stills.request_stills(cameras, now)
    tasks.queue_still_captures(claimed)
    return len(claimed)


def test_a_still_is_captured_blurred_and_made_the_cameras_latest(konawe, evidence_storage):
    camera = public_camera(konawe, DEMO_FRAME)
    summary = stills.capture_still(camera.pk, still_slot(NOW, 30), NOW)
    assert summary.status == "ok"
    still = CameraStill.objects.get(pk=summary.still_id)
    assert still.image
    assert still.public_image
    assert still.people_count is not None
    assert still.detector_name
    camera.refresh_from_db()
    assert camera.latest_still_id == still.pk
    assert camera.latest_picture_id == still.pk
    assert (camera.health_state, camera.health_since) == (HealthState.ONLINE, NOW)
    # Stored pictures are small JPEGs, never the raw frame.
    for field in (still.image, still.public_image):
        picture = cv2.imdecode(np.frombuffer(field.read(), np.uint8), cv2.IMREAD_COLOR)
        assert picture.shape[1] <= stills.STILL_WIDTH


def test_a_duplicate_delivery_captures_nothing_more(konawe, evidence_storage):
    camera = public_camera(konawe, DEMO_FRAME)
    slot = still_slot(NOW, 30)
    first = stills.capture_still(camera.pk, slot, NOW)
    again = stills.capture_still(camera.pk, slot, NOW + timedelta(seconds=2))
    assert first.status == "ok"
    assert again.status == "skipped"
    assert CameraStill.objects.filter(camera=camera).count() == 1


def test_only_a_public_camera_gets_a_public_image(konawe, evidence_storage):
    camera = public_camera(konawe, DEMO_FRAME, is_public=False)
    summary = stills.capture_still(camera.pk, still_slot(NOW, 30), NOW)
    still = CameraStill.objects.get(pk=summary.still_id)
    assert still.image
    assert not still.public_image


def test_an_unreachable_camera_is_offline_since_its_first_failure(konawe, evidence_storage):
    camera = public_camera(konawe, "http://127.0.0.1:9/snapshot.jpg", timeout_seconds=2)
    stills.capture_still(camera.pk, still_slot(NOW, 30), NOW)
    later = NOW + timedelta(seconds=30)
    summary = stills.capture_still(camera.pk, still_slot(later, 30), later)
    assert summary.status == "unreachable"
    camera.refresh_from_db()
    assert camera.health_state == HealthState.OFFLINE
    assert camera.health_since == NOW
    assert camera.latest_picture_id is None
    failed = CameraStill.objects.get(pk=summary.still_id)
    assert not failed.image
    assert "127.0.0.1" in failed.error_message


def test_a_failed_capture_keeps_the_last_picture_on_the_wall(konawe, evidence_storage, tmp_path):
    frame = tmp_path / "frame.jpg"
    frame.write_bytes(DEMO_FRAME.read_bytes())
    camera = public_camera(konawe, frame)
    good = stills.capture_still(camera.pk, still_slot(NOW, 30), NOW)
    frame.write_bytes(b"not a jpeg")
    later = NOW + timedelta(seconds=30)
    bad = stills.capture_still(camera.pk, still_slot(later, 30), later)
    assert bad.status == "not_an_image"
    camera.refresh_from_db()
    assert camera.latest_still_id == bad.still_id
    assert camera.latest_picture_id == good.still_id
    assert camera.health_state == HealthState.OFFLINE


def test_an_older_interval_finishing_late_does_not_overwrite_a_newer_one(konawe, evidence_storage):
    camera = public_camera(konawe, DEMO_FRAME)
    newer = stills.capture_still(camera.pk, still_slot(NOW + timedelta(seconds=30), 30), NOW)
    stills.capture_still(camera.pk, still_slot(NOW, 30), NOW + timedelta(seconds=40))
    camera.refresh_from_db()
    assert camera.latest_still_id == newer.still_id


def test_detection_failure_publishes_nothing(konawe, evidence_storage, monkeypatch):
    class Broken:
        name, version = "broken", "0"

        def detect(self, frame):
            raise RuntimeError("model crashed")

    monkeypatch.setattr(stills, "get_detector", lambda name=None: Broken())
    camera = public_camera(konawe, DEMO_FRAME)
    summary = stills.capture_still(camera.pk, still_slot(NOW, 30), NOW)
    assert summary.status == "error"
    still = CameraStill.objects.get(pk=summary.still_id)
    assert not still.image
    assert not still.public_image


def test_many_viewers_in_one_interval_queue_one_capture_per_camera(
    konawe, queued, django_capture_on_commit_callbacks
):
    cameras = [public_camera(konawe, DEMO_FRAME, name=f"Kamera {i}") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        counts = [request(cameras, NOW + timedelta(seconds=i)) for i in range(15)]
    assert counts[0] == 3
    assert sum(counts[1:]) == 0
    assert sorted(args[0] for args, _ in queued) == sorted(c.pk for c in cameras)
    assert {args[1] for args, _ in queued} == {still_slot(NOW, 30).isoformat()}
    # Each request expires with its interval: a backlog never captures stale slots.
    assert {expires for _, expires in queued} == {30}


def test_the_next_interval_queues_again_and_a_fresh_still_is_not_requested(
    konawe,
    queued,
    evidence_storage,
    django_capture_on_commit_callbacks,
):
    camera = public_camera(konawe, DEMO_FRAME)
    with django_capture_on_commit_callbacks(execute=True):
        assert request([camera], NOW) == 1
    stills.capture_still(camera.pk, still_slot(NOW, 30), NOW)
    camera = Camera.objects.select_related("latest_still").get(pk=camera.pk)
    later = NOW + timedelta(seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        # A new process (cache emptied) still sees the still of this interval in the database.
        from django.core.cache import cache

        cache.clear()
        assert request([camera], NOW + timedelta(seconds=5)) == 0
        assert request([camera], later) == 1
    assert len(queued) == 2


def test_a_disabled_camera_is_never_requested_nor_captured(konawe, queued, evidence_storage):
    camera = public_camera(konawe, DEMO_FRAME, enabled=False)
    assert request([camera], NOW) == 0
    assert stills.capture_still(camera.pk, still_slot(NOW, 30), NOW).status == "skipped"
    assert not CameraStill.objects.exists()


def test_purge_deletes_old_stills_and_their_files_but_keeps_each_cameras_latest(
    konawe,
    evidence_storage,
    settings,
):
    settings.STILL_RETENTION_HOURS = 1
    camera = public_camera(konawe, DEMO_FRAME)
    old = [
        stills.capture_still(camera.pk, still_slot(NOW + timedelta(minutes=m), 30), NOW)
        for m in (0, 1, 2)
    ]
    files = [Path(CameraStill.objects.get(pk=s.still_id).image.path) for s in old]
    assert all(path.is_file() for path in files)
    purged = stills.purge_old_stills(NOW + timedelta(hours=2))
    assert purged == 2
    assert list(CameraStill.objects.values_list("pk", flat=True)) == [old[-1].still_id]
    assert not files[0].exists()
    assert files[-1].is_file()


def test_a_still_left_running_by_a_killed_worker_expires(konawe, evidence_storage):
    camera = public_camera(konawe, DEMO_FRAME)
    CameraStill.objects.create(camera=camera, slot=still_slot(NOW, 30), status="running")
    stills.purge_old_stills(NOW + timedelta(minutes=11))
    assert CameraStill.objects.get().status == "expired"


def test_an_office_camera_can_never_be_public(kendari):
    from django.db import IntegrityError, transaction

    from places.models import Office

    camera = Camera.for_office(Office.objects.first(), name="Ruang", source_url="file:///x")
    camera.is_public = True
    with pytest.raises(IntegrityError), transaction.atomic():
        camera.save()


# --- No unblurred person leaves the public endpoint ---------------------------------------------

# Real photographs with people, read in place from ../shared/frames (never copied).
PEOPLE_PHOTOS = [
    "posetrack_plaza_crowd.jpg",
    "aic_go_players.jpg",
    "vut_hall_front_multi.jpg",
    "coco_kitchen_338.jpg",
    "mpii_seated_pair.jpg",
]


def _detail(grey: np.ndarray) -> float:
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


@pytest.mark.parametrize("photo", PEOPLE_PHOTOS)
def test_no_unblurred_pixel_of_a_person_leaves_the_public_endpoint(
    konawe,
    evidence_storage,
    shared_dir,
    photo,
):
    path = shared_dir / "frames" / photo
    camera = public_camera(konawe, path)
    summary = stills.capture_still(camera.pk, still_slot(NOW, 30), NOW)
    assert summary.status in ("ok", "frozen")

    response = Client().get(f"/publik/74.02/kamera/{camera.pk}/{summary.still_id}.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    served = cv2.imdecode(
        np.frombuffer(b"".join(response.streaming_content), np.uint8), cv2.IMREAD_GRAYSCALE
    )

    original = cv2.imread(str(path))
    # The boxes of the detector that made the still (public-area cameras: the crowd pipeline).
    detection = get_detector(services.detector_name_for(camera)).detect(original)
    assert detection.people, f"the detector finds nobody in {photo}: the test would prove nothing"
    scale = served.shape[1] / original.shape[1]
    reference = cv2.resize(
        cv2.cvtColor(original, cv2.COLOR_BGR2GRAY),
        (served.shape[1], served.shape[0]),
        interpolation=cv2.INTER_AREA,
    )
    checked = 0
    for person in detection.people:
        x1, y1 = int(person.x * scale) + 2, int(person.y * scale) + 2
        x2, y2 = int((person.x + person.w) * scale) - 2, int((person.y + person.h) * scale) - 2
        if x2 - x1 < 12 or y2 - y1 < 12:
            continue  # a few pixels across: no detail to lose either way
        before = _detail(reference[y1:y2, x1:x2])
        after = _detail(served[y1:y2, x1:x2])
        assert after < 0.2 * before + 5, f"{photo}: person box {person} keeps detail"
        checked += 1
    assert checked >= 1
    # The rest of the picture stays useful (the check above is not satisfied by blurring all).
    mask = np.ones(served.shape, bool)
    for person in detection.people:
        mask[
            int(person.y * scale) : int((person.y + person.h) * scale) + 1,
            int(person.x * scale) : int((person.x + person.w) * scale) + 1,
        ] = False
    if mask.mean() > 0.2:
        difference = np.abs(served.astype(int) - reference.astype(int))[mask]
        assert difference.mean() < 20


def test_the_staff_image_is_never_served_publicly(konawe, evidence_storage, kendari):
    from places.models import Office

    office_camera = Camera.for_office(
        Office.objects.first(), name="Ruang", source_url=f"file://{DEMO_FRAME}"
    )
    office_camera.save()
    office_still = stills.capture_still(office_camera.pk, still_slot(NOW, 30), NOW)
    private = public_camera(konawe, DEMO_FRAME, is_public=False, name="Belum publik")
    private_still = stills.capture_still(private.pk, still_slot(NOW, 30), NOW)
    client = Client()
    code = kendari.code
    assert (
        client.get(f"/publik/{code}/kamera/{office_camera.pk}/{office_still.still_id}.jpg")
    ).status_code == 404
    assert (
        client.get(f"/publik/74.02/kamera/{private.pk}/{private_still.still_id}.jpg").status_code
        == 404
    )
    # A camera taken off the public list disappears at once, old pictures included.
    public = public_camera(konawe, DEMO_FRAME, name="Publik")
    shown = stills.capture_still(public.pk, still_slot(NOW, 30), NOW)
    url = f"/publik/74.02/kamera/{public.pk}/{shown.still_id}.jpg"
    assert client.get(url).status_code == 200
    Camera.objects.filter(pk=public.pk).update(is_public=False)
    assert client.get(url).status_code == 404
    # Wrong government code in the path: nothing.
    Camera.objects.filter(pk=public.pk).update(is_public=True)
    assert client.get(f"/publik/74.71/kamera/{public.pk}/{shown.still_id}.jpg").status_code == 404


def test_a_broker_outage_does_not_break_the_page_that_asked(
    konawe, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from cameras import tasks

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.capture_still, "apply_async", refuse)
    public_camera(konawe, DEMO_FRAME)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().get("/publik/74.02/kamera.json")
    assert response.status_code == 200
    assert response.json()["cameras"][0]["picture"] == ""
    assert "broker unreachable" in caplog.text
