"""Each camera may choose its people detector; blank keeps the default of its kind."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from cameras import services, vision
from cameras.models import Camera, CameraKind, Observation
from places.models import Office
from tests.cameras.test_check_service import SLOT
from tests.camservers.http_camera import OPEN_PATH, start_http_camera
from tests.factories import CameraFactory


@pytest.fixture
def kind_defaults(settings):
    settings.PEOPLE_DETECTOR = "mp-fusion"
    settings.PUBLIC_AREA_DETECTOR = "mp-crowd"


@pytest.mark.parametrize(
    ("kind", "chosen", "expected"),
    [
        (CameraKind.OFFICE, "", "mp-fusion"),
        (CameraKind.PUBLIC_AREA, "", "mp-crowd"),
        (CameraKind.OFFICE, "mp-crowd", "mp-crowd"),
        (CameraKind.PUBLIC_AREA, "mp-fast", "mp-fast"),
    ],
)
def test_a_cameras_own_detector_wins_over_its_kinds_default(kind_defaults, kind, chosen, expected):
    assert services.detector_name_for(Camera(kind=kind, detector=chosen)) == expected


def test_public_area_cameras_fall_back_to_the_office_default(settings):
    settings.PEOPLE_DETECTOR = "mp-fast"
    settings.PUBLIC_AREA_DETECTOR = ""
    assert services.detector_name_for(Camera(kind=CameraKind.PUBLIC_AREA)) == "mp-fast"


def test_every_registered_detector_can_be_chosen_and_nothing_else():
    values = [value for value, _label in Camera._meta.get_field("detector").choices]
    assert values == ["", *vision.available_detectors()]


@pytest.mark.django_db
def test_an_unknown_detector_is_refused(kendari):
    camera = CameraFactory.build(
        office=Office.objects.get(code="74.71.01.1005"), detector="yolo-from-the-internet"
    )
    with pytest.raises(ValidationError) as refused:
        camera.full_clean()
    assert "detector" in refused.value.message_dict


@pytest.mark.django_db
def test_a_check_uses_and_records_the_cameras_own_detector(kendari, kind_defaults, shared_dir):
    server = start_http_camera([shared_dir / "frames" / "vut_hall_front_multi.jpg"])
    try:
        camera = CameraFactory(
            office=Office.objects.get(code="74.71.01.1005"),
            source_url=server.url(OPEN_PATH),
            burst_frames=1,
            burst_interval_seconds=0,
            detector="mp-fast",
        )
        observation = Observation.objects.create(
            camera=camera,
            slot=SLOT,
            office_date=SLOT.date(),
            kind="opening",
            expires_at=SLOT + timedelta(minutes=5),
        )
        services.run_camera_check(observation.pk, "task-1", SLOT + timedelta(seconds=5))
    finally:
        server.stop()
    observation.refresh_from_db()
    assert observation.detector_name == "mp-fast"
    assert observation.detector_version == vision.get_detector("mp-fast").version
    assert observation.people_in_zone >= 1


@pytest.mark.django_db
def test_staff_choose_a_detector_through_the_api(role_users):
    camera = CameraFactory(office=Office.objects.get(code="74.71.01.1005"))
    staff = APIClient()
    staff.force_authenticate(role_users["diskominfo"])
    url = f"/api/v1/cameras/{camera.pk}/"

    refused = staff.patch(url, {"detector": "yolo"}, format="json")
    assert refused.status_code == 400
    assert "detector" in refused.json()["error"]["fields"]

    chosen = staff.patch(url, {"detector": "mp-crowd"}, format="json")
    assert chosen.status_code == 200, chosen.json()
    assert chosen.json()["detector"] == "mp-crowd"
    camera.refresh_from_db()
    assert camera.detector == "mp-crowd"


@pytest.mark.django_db
def test_the_admin_camera_form_offers_every_detector(admin_client, kendari):
    form = admin_client.get("/admin/cameras/camera/add/").content.decode()
    assert 'name="detector"' in form
    for name in vision.available_detectors():
        assert f'<option value="{name}"' in form
