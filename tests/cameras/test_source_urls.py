"""Camera addresses by kind: network cameras for every Diskominfo, file:// and replay: only
where the deployment enables them and only from a superuser; credentials never in the address;
a stored address always shown redacted. One rule: the API, the admin form and the model."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cameras.domain.source_url import (
    has_credentials_in_url,
    redact_source_url,
    source_url_error,
)
from cameras.models import Camera, CameraKind
from places.models import Office

OPEN = {"local_enabled": True, "may_set_local": True}


@pytest.mark.parametrize(
    ("url", "rule", "expected"),
    [
        ("rtsp://10.0.0.5:554/stream1", OPEN, None),
        ("http://cam.local/snapshot.jpg?channel=1", OPEN, None),
        ("https://cam.local/cgi-bin/snapshot.cgi", OPEN, None),
        ("file:///srv/frames/a.jpg", OPEN, None),
        ("replay:/srv/replay/kantor", OPEN, None),
        ("file:///srv/frames/a.jpg", {**OPEN, "local_enabled": False}, "local_disabled"),
        ("replay:/srv/replay", {**OPEN, "local_enabled": False}, "local_disabled"),
        ("file:///etc/passwd", {**OPEN, "may_set_local": False}, "local_not_allowed"),
        ("ftp://cam.local/a.jpg", OPEN, "scheme"),
        ("javascript:alert(1)", OPEN, "scheme"),
        ("http:///a.jpg", OPEN, "host_missing"),
        ("http://cam.local:port/a.jpg", OPEN, "malformed"),
        ("http://cam.local/a\x00.jpg", OPEN, "malformed"),
        ("", OPEN, "malformed"),
        ("rtsp://admin:12345@10.0.0.5/stream", OPEN, "credentials"),
        ("http://admin@cam.local/a.jpg", OPEN, "credentials"),
        ("http://cam.local/snapshot.cgi?user=admin&pwd=12345", OPEN, "credentials"),
        ("http://cam.local/snapshot.cgi?loginuse=admin&loginpas=x", OPEN, "credentials"),
        ("http://cam.local/a.jpg?Password=x", OPEN, "credentials"),
        ("http://cam.local/a.jpg?access-token=x", OPEN, "credentials"),
        ("http://cam.local/a.jpg?api_key=x", OPEN, "credentials"),
        ("http://cam.local/a.jpg?auth=x", OPEN, "credentials"),
        ("http://cam.local/a.jpg?secret=x", OPEN, "credentials"),
    ],
)
def test_source_url_rule(url, rule, expected):
    error = source_url_error(url, **rule)
    assert (error.value if error else None) == expected


def test_redaction_hides_userinfo_and_secret_parameters():
    shown = redact_source_url("http://admin:12345@cam.local/s.cgi?user=admin&pwd=12345&ch=2")
    assert "12345" not in shown
    assert "admin" not in shown
    assert "ch=2" in shown
    assert has_credentials_in_url("http://cam.local/s.cgi?USER=a")
    assert not has_credentials_in_url("http://cam.local/s.cgi?channel=1&resolution=640x480")


@pytest.fixture
def superuser(make_role_user):
    return make_role_user(None, username="root", is_superuser=True, is_staff=True)


def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def camera_body(office: Office, url: str) -> dict:
    return {"kind": "office", "office": office.pk, "name": "Depan", "source_url": url}


@pytest.fixture
def mandonga(kendari) -> Office:
    return Office.objects.get(code="74.71.01.1005")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["file:///etc/passwd", "replay:/srv/evidence"])
def test_a_diskominfo_cannot_point_a_camera_at_a_file(role_users, mandonga, url):
    response = api(role_users["diskominfo"]).post(
        "/api/v1/cameras/", camera_body(mandonga, url), content_type="application/json"
    )
    assert response.status_code == 400
    assert "source_url" in response.json()["error"]["fields"]
    assert not Camera.objects.exists()


@pytest.mark.django_db
def test_local_sources_follow_the_deployment_setting(settings, superuser, mandonga):
    client = api(superuser)
    settings.CAMERA_LOCAL_SOURCES = False
    refused = client.post(
        "/api/v1/cameras/",
        camera_body(mandonga, "file:///srv/a.jpg"),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "CAMERA_LOCAL_SOURCES" in str(refused.json())
    settings.CAMERA_LOCAL_SOURCES = True
    accepted = client.post(
        "/api/v1/cameras/",
        camera_body(mandonga, "file:///srv/a.jpg"),
        content_type="application/json",
    )
    assert accepted.status_code == 201, accepted.content


@pytest.mark.django_db
def test_the_model_refuses_local_sources_when_disabled(settings, mandonga):
    camera = Camera.for_office(mandonga, name="Depan", source_url="file:///srv/a.jpg")
    settings.CAMERA_LOCAL_SOURCES = False
    with pytest.raises(ValidationError) as refused:
        camera.full_clean()
    assert refused.value.error_dict["__all__"][0].code == "local_disabled"
    settings.CAMERA_LOCAL_SOURCES = True
    camera.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://cam.local/snapshot.cgi?user=admin&pwd=S3cret",
        "http://admin:S3cret@cam.local/snapshot.jpg",
        "rtsp://cam.local/live?token=S3cret",
    ],
)
def test_credentials_in_the_address_point_to_the_credential_fields(role_users, mandonga, url):
    response = api(role_users["diskominfo"]).post(
        "/api/v1/cameras/", camera_body(mandonga, url), content_type="application/json"
    )
    assert response.status_code == 400
    message = str(response.json()["error"]["fields"]["source_url"])
    assert "kolom kredensial" in message
    assert "S3cret" not in response.content.decode()


@pytest.mark.django_db
def test_a_stored_address_is_shown_redacted_in_the_api_and_the_admin(superuser, mandonga):
    # Stored before credentials in the address were refused.
    camera = Camera.for_office(
        mandonga, name="Lama", source_url="http://cam.local/s.cgi?user=admin&pwd=S3cret&ch=1"
    )
    camera.save()
    client = api(superuser)
    listed = client.get("/api/v1/cameras/").content.decode()
    detail = client.get(f"/api/v1/cameras/{camera.pk}/").json()
    assert "S3cret" not in listed
    assert "S3cret" not in detail["source_url"]
    assert "ch=1" in detail["source_url"]
    page = client.get(f"/admin/cameras/camera/{camera.pk}/change/").content.decode()
    assert "S3cret" not in page
    assert "cam.local" in page


@pytest.mark.django_db
def test_the_admin_form_refuses_files_from_a_government(role_users, mandonga):
    from django.contrib.auth.models import Permission

    staff = role_users["diskominfo"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["add_camera"]))
    response = api(staff).post(
        "/admin/cameras/camera/add/",
        {
            "kind": CameraKind.OFFICE,
            "office": mandonga.pk,
            "name": "Depan",
            "source_url": "file:///etc/passwd",
            "crowd_busy_at": 5,
            "crowd_packed_at": 15,
            "enabled": "on",
            "timeout_seconds": 10,
            "staff_zone": "[]",
            "ignore_zones": "[]",
        },
    )
    assert response.status_code == 200
    assert "pengelola sistem" in response.content.decode()
    assert not Camera.objects.exists()


@pytest.mark.django_db
def test_an_auditor_opens_a_camera_in_the_admin(role_users, mandonga):
    from django.contrib.auth.models import Permission

    camera = Camera.for_office(mandonga, name="Depan", source_url="http://cam.local/a.jpg")
    camera.save()
    auditor = role_users["auditor"]
    auditor.is_staff = True
    auditor.save()
    auditor.user_permissions.add(Permission.objects.get(codename="view_camera"))
    response = api(auditor).get(f"/admin/cameras/camera/{camera.pk}/change/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_stored_file_camera_is_not_read_once_local_sources_are_off(settings, mandonga, tmp_path):
    """A row stored before the setting existed (or while it was on) reads no file when off."""
    import cv2
    import numpy as np

    from cameras import sources
    from cameras.services import camera_address

    picture = tmp_path / "kantor.jpg"
    cv2.imwrite(str(picture), np.full((90, 160, 3), 120, dtype=np.uint8))
    camera = Camera.for_office(mandonga, name="Depan", source_url=picture.as_uri())
    camera.save()
    settings.CAMERA_LOCAL_SOURCES = True
    assert sources.capture_frame(camera_address(camera)).shape == (90, 160, 3)
    settings.CAMERA_LOCAL_SOURCES = False
    with pytest.raises(sources.CameraUnreachable, match="disabled in this deployment"):
        sources.capture_frame(camera_address(camera))
