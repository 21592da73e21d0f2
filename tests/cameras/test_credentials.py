import logging

import pytest
from django.db import connection
from django.template import Context, Template

from cameras.admin import CameraForm
from cameras.models import Camera
from kelurahan_monitor.log_redaction import RedactCredentialsFilter, redact_text
from kelurahan_monitor.secrets_field import Secret
from tests.factories import CameraFactory, OfficeFactory

PASSWORD = "S3cret-Kendari!"


@pytest.mark.django_db
def test_credentials_are_encrypted_at_rest():
    camera = CameraFactory(username="admin", password=PASSWORD)
    with connection.cursor() as cursor:
        cursor.execute("SELECT username, password FROM cameras_camera WHERE id = %s", [camera.pk])
        stored_username, stored_password = cursor.fetchone()
    assert PASSWORD not in stored_password
    assert "admin" not in stored_username
    reloaded = Camera.objects.get(pk=camera.pk)
    assert reloaded.password.reveal() == PASSWORD
    assert reloaded.username.reveal() == "admin"


@pytest.mark.django_db
def test_credentials_never_render_in_templates_or_repr():
    camera = CameraFactory(password=PASSWORD)
    rendered = Template("{{ camera.password }} {{ camera.password.reveal }}").render(
        Context({"camera": camera})
    )
    assert PASSWORD not in rendered
    assert PASSWORD not in repr(camera.password)
    assert str(Secret("")) == ""


@pytest.mark.django_db
def test_camera_form_never_renders_the_stored_password():
    camera = CameraFactory(password=PASSWORD)
    html = CameraForm(instance=camera).as_p()
    assert PASSWORD not in html


@pytest.mark.django_db
def test_camera_form_keeps_stored_password_when_left_blank():
    camera = CameraFactory(password=PASSWORD, username="admin")
    form = CameraForm(
        instance=camera,
        data={
            "kind": "office",
            "office": camera.office_id,
            "name": camera.name,
            "crowd_busy_at": 5,
            "crowd_packed_at": 15,
            "source_url": camera.source_url,
            "timeout_seconds": 10,
            "staff_zone": "[]",
            "ignore_zones": "[]",
            "enabled": "on",
        },
    )
    assert form.is_valid(), form.errors
    form.save()
    assert Camera.objects.get(pk=camera.pk).password.reveal() == PASSWORD


@pytest.mark.django_db
def test_camera_form_refuses_credentials_inside_the_url():
    office = OfficeFactory()
    form = CameraForm(
        data={
            "office": office.pk,
            "name": "Depan",
            "source_url": f"rtsp://admin:{PASSWORD}@10.0.0.5/Streaming/101",
            "timeout_seconds": 10,
            "staff_zone": "[]",
            "ignore_zones": "[]",
        }
    )
    assert not form.is_valid()
    assert "source_url" in form.errors


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (f"cannot open rtsp://admin:{PASSWORD}@10.1.2.3:554/h264", "rtsp://***@10.1.2.3:554/h264"),
        (f"GET http://cam/snap.jpg?user=a&password={PASSWORD}", "password=***"),
    ],
)
def test_log_lines_never_carry_camera_passwords(message, expected):
    assert PASSWORD not in redact_text(message)
    assert expected in redact_text(message)


def test_log_filter_redacts_formatted_arguments():
    record = logging.LogRecord(
        "cameras",
        logging.WARNING,
        __file__,
        1,
        "capture failed for %s",
        (f"rtsp://u:{PASSWORD}@h/",),
        None,
    )
    RedactCredentialsFilter().filter(record)
    assert PASSWORD not in record.getMessage()
