"""The whole check against a real HTTP camera on 127.0.0.1: claim, capture, count, blur, store."""

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pytest

from cameras import services, vision
from cameras.models import Evidence, Observation, ObservationStatus
from cameras.vision.scene import scene_from_bytes
from places.models import Office
from tests.camservers.http_camera import HIKVISION_PATH, OPEN_PATH, start_http_camera
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
SLOT = datetime.combine(date(2026, 11, 24), time(7, 30), tzinfo=WITA)


@pytest.fixture
def staffed_camera(shared_dir):
    """A digest-auth snapshot camera showing three men standing in a hall."""
    camera = start_http_camera(
        [shared_dir / "frames" / "vut_hall_front_multi.jpg"], size=(1280, 720)
    )
    yield camera
    camera.stop()


@pytest.fixture
def empty_camera(shared_dir):
    camera = start_http_camera([shared_dir / "frames" / "nyu_conference_308.jpg"])
    yield camera
    camera.stop()


def make_observation(kendari, url: str, **camera_fields) -> Observation:
    office = Office.objects.get(code="74.71.01.1005")
    fields = {"burst_frames": 1, "burst_interval_seconds": 0, **camera_fields}
    camera = CameraFactory(office=office, source_url=url, **fields)
    return Observation.objects.create(
        camera=camera,
        slot=SLOT,
        office_date=SLOT.date(),
        kind="opening",
        expires_at=SLOT + timedelta(minutes=5),
    )


def test_check_counts_people_and_stores_only_blurred_evidence(kendari, staffed_camera):
    observation = make_observation(
        kendari,
        staffed_camera.url(HIKVISION_PATH),
        username="admin",
        password=staffed_camera.password,
    )
    summary = services.run_camera_check(observation.pk, "task-1", SLOT + timedelta(seconds=5))
    observation.refresh_from_db()
    assert summary.status == observation.status == ObservationStatus.OK
    assert observation.people_in_zone >= 1  # exact counts are scored on the whole set elsewhere
    assert observation.recorded_at is not None  # the fact compliance's tick pulls
    assert observation.detector_name == vision.get_detector().name
    evidence = Evidence.objects.get(observation=observation)
    stored = cv2.imdecode(np.frombuffer(evidence.image.read(), np.uint8), cv2.IMREAD_COLOR)
    assert stored.shape[1] <= 640
    assert (evidence.width, evidence.height) == (stored.shape[1], stored.shape[0])
    assert Path(evidence.image.path).is_relative_to(Path(evidence.image.storage.location))


def test_empty_room_counts_nobody(kendari, empty_camera):
    observation = make_observation(kendari, empty_camera.url(OPEN_PATH))
    services.run_camera_check(observation.pk, "task-1", SLOT)
    observation.refresh_from_db()
    assert (observation.status, observation.people_in_zone) == ("ok", 0)


def test_a_duplicate_delivery_does_nothing(kendari, empty_camera):
    observation = make_observation(kendari, empty_camera.url(OPEN_PATH))
    services.claim_observation(observation.pk, "task-1", SLOT)
    summary = services.run_camera_check(observation.pk, "task-2", SLOT)
    assert summary.status == "skipped"
    assert empty_camera.hits[OPEN_PATH] == 0


def test_a_redelivered_task_takes_over_its_own_claim(kendari, empty_camera):
    observation = make_observation(kendari, empty_camera.url(OPEN_PATH))
    services.claim_observation(observation.pk, "task-1", SLOT)
    assert services.run_camera_check(observation.pk, "task-1", SLOT).status == "ok"


def test_an_abandoned_claim_is_taken_after_its_lease(kendari, empty_camera):
    observation = make_observation(kendari, empty_camera.url(OPEN_PATH))
    services.claim_observation(observation.pk, "dead-worker", SLOT)
    later = SLOT + services.claim_lease() + timedelta(seconds=1)
    assert services.run_camera_check(observation.pk, "task-2", later).status == "ok"


def test_a_check_past_its_window_expires_instead_of_running_late(kendari, empty_camera):
    observation = make_observation(kendari, empty_camera.url(OPEN_PATH))
    services.run_camera_check(observation.pk, "task-1", SLOT + timedelta(minutes=6))
    observation.refresh_from_db()
    assert observation.status == ObservationStatus.EXPIRED
    assert empty_camera.hits[OPEN_PATH] == 0


def test_wrong_password_is_recorded_without_the_password(kendari, staffed_camera):
    observation = make_observation(
        kendari, staffed_camera.url(HIKVISION_PATH), username="admin", password="Wrong-Pass-9"
    )
    services.run_camera_check(observation.pk, "task-1", SLOT)
    observation.refresh_from_db()
    assert observation.status == ObservationStatus.AUTH_FAILED
    assert "Wrong-Pass-9" not in observation.error_message
    assert not Evidence.objects.exists()


def test_unreachable_camera_is_transient_then_recorded(kendari):
    observation = make_observation(kendari, "http://127.0.0.1:9/snapshot.jpg", timeout_seconds=2)
    with pytest.raises(services.TRANSIENT_ERRORS):
        services.run_camera_check(observation.pk, "task-1", SLOT)
    services.record_capture_failure(observation.pk, "unreachable", "connection refused", SLOT)
    observation.refresh_from_db()
    assert observation.status == ObservationStatus.UNREACHABLE
    assert observation.people_in_zone is None


def test_a_dark_frame_is_a_camera_fault_not_an_empty_office(kendari, tmp_path):
    dark = tmp_path / "dark.jpg"
    cv2.imwrite(str(dark), np.full((360, 640, 3), 3, np.uint8))
    observation = make_observation(kendari, dark.as_uri())
    services.run_camera_check(observation.pk, "task-1", SLOT)
    observation.refresh_from_db()
    assert observation.status == ObservationStatus.DARK
    assert observation.people_in_zone is None


def test_purge_removes_old_evidence_but_keeps_the_numbers(kendari, empty_camera, settings):
    observation = make_observation(kendari, empty_camera.url(OPEN_PATH))
    services.run_camera_check(observation.pk, "task-1", SLOT)
    evidence = Evidence.objects.get()
    path = Path(evidence.image.path)
    assert path.exists()
    later = evidence.created_at + timedelta(days=settings.EVIDENCE_RETENTION_DAYS + 1)
    assert services.purge_expired_evidence(later) == 1
    assert not path.exists()
    observation.refresh_from_db()
    assert observation.people_in_zone == 0


def test_reference_view_is_learned_from_an_empty_scene_only(kendari, empty_camera, staffed_camera):
    observation = make_observation(kendari, empty_camera.url(OPEN_PATH))
    camera = observation.camera
    camera.burst_frames = 3
    assert services.capture_reference_view(camera.pk, frames=3, interval_s=0) == 3
    camera.refresh_from_db()
    assert camera.reference_signature
    assert scene_from_bytes(camera.scene_state) is not None  # the empty scene, learned afresh
    staffed = CameraFactory(
        office=camera.office,
        name="Loket",
        source_url=staffed_camera.url(HIKVISION_PATH),
        username="admin",
        password=staffed_camera.password,
    )
    with pytest.raises(services.ReferenceRefused, match="empty"):
        services.capture_reference_view(staffed.pk, frames=3, interval_s=0)
    staffed.refresh_from_db()
    assert bytes(staffed.scene_state) == b""


def test_an_empty_check_learns_the_scene_and_a_staffed_one_records_its_signals(
    kendari, empty_camera, staffed_camera
):
    empty = make_observation(kendari, empty_camera.url(OPEN_PATH), burst_frames=3)
    services.run_camera_check(empty.pk, "task-1", SLOT)
    empty.camera.refresh_from_db()
    scene = scene_from_bytes(empty.camera.scene_state)
    assert scene is not None
    assert scene.frames_learned == 1

    staffed = make_observation(
        kendari,
        staffed_camera.url(HIKVISION_PATH),
        name="Loket",
        username="admin",
        password=staffed_camera.password,
    )
    services.run_camera_check(staffed.pk, "task-2", SLOT)
    staffed.refresh_from_db()
    staffed.camera.refresh_from_db()
    assert bytes(staffed.camera.scene_state) == b""  # never learned with people in view
    assert sum(staffed.people_signals.values()) == staffed.people_count >= 1
    assert set(staffed.people_signals) <= {
        "pose",
        "face",
        "zoom-pose",
        "zoom-face",
        "moving-pose",
        "moving-zoom-pose",
    }


def test_a_camera_pointing_elsewhere_is_reported_as_moved(kendari, empty_camera, staffed_camera):
    observation = make_observation(kendari, empty_camera.url(OPEN_PATH))
    services.capture_reference_view(observation.camera_id, frames=3, interval_s=0)
    camera = observation.camera
    camera.refresh_from_db()
    camera.source_url = staffed_camera.url(OPEN_PATH)
    camera.save()
    services.run_camera_check(observation.pk, "task-1", SLOT)
    observation.refresh_from_db()
    assert observation.status == ObservationStatus.MOVED
    assert observation.people_in_zone is None
