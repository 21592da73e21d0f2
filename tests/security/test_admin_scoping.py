"""The admin keeps each government's staff to their own rows, like the pages and the API."""

import pytest
from django.core.management import call_command
from django.test import Client

from cameras.models import Camera, CameraKind
from places.models import Holiday, Kecamatan, LocalGovernment, Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_governments(kendari):
    konawe = LocalGovernment.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    unaaha = Kecamatan.objects.create(local_government=konawe, code="74.02.02", name="Unaaha")
    tumpas = Office.objects.create(code="74.02.02.1001", name="Tumpas", kecamatan=unaaha)
    square = Camera.objects.create(
        local_government=konawe,
        kind=CameraKind.PUBLIC_AREA,
        kecamatan=unaaha,
        name="Alun-alun Unaaha",
        source_url="http://127.0.0.1:9/a.jpg",
    )
    mandonga = Office.objects.get(code="74.71.01.1005")
    kendari_camera = Camera.for_office(
        mandonga, name="Ruang pelayanan", source_url="http://127.0.0.1:9/b.jpg"
    )
    kendari_camera.save()
    return {"konawe": konawe, "tumpas": tumpas, "square": square, "kendari_camera": kendari_camera}


def admin_client(username: str, government_code: str) -> Client:
    call_command(
        "grant_role",
        username,
        "Diskominfo",
        "--government",
        government_code,
        "--create",
        verbosity=0,
    )
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_konawe_staff_see_and_pick_only_konawe_rows(two_governments):
    client = admin_client("kominfo.konawe", "74.02")
    cameras = client.get("/admin/cameras/camera/").content.decode()
    assert "Alun-alun Unaaha" in cameras
    assert "Ruang pelayanan" not in cameras
    offices = client.get("/admin/places/office/").content.decode()
    assert "Tumpas" in offices
    assert "Mandonga" not in offices
    other = two_governments["kendari_camera"]
    response = client.get(f"/admin/cameras/camera/{other.pk}/change/")
    assert response.status_code in (302, 404)  # the admin says "does not exist"
    assert "Ruang pelayanan" not in client.get(response.get("Location", "/admin/")).content.decode()
    form = client.get("/admin/cameras/camera/add/").content.decode()
    assert "Kabupaten Konawe" in form
    assert "Kota Kendari" not in form
    assert ">Mandonga<" not in form
    # The office picker searches through the (scoped) office admin.
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "cameras", "model_name": "camera", "field_name": "office", "term": ""},
    ).json()["results"]
    assert [office["text"] for office in found] == ["Tumpas (74.02.02.1001)"]


def test_staff_cannot_move_a_camera_into_another_government(two_governments):
    client = admin_client("kominfo.konawe", "74.02")
    square = two_governments["square"]
    kendari = LocalGovernment.objects.get(code="74.71")
    response = client.post(
        f"/admin/cameras/camera/{square.pk}/change/",
        {
            "kind": "public_area",
            "local_government": kendari.pk,
            "name": square.name,
            "source_url": square.source_url,
            "timeout_seconds": 10,
            "crowd_busy_at": 5,
            "crowd_packed_at": 15,
            "staff_zone": "[]",
            "ignore_zones": "[]",
            "enabled": "on",
        },
    )
    assert response.status_code == 200  # the form comes back with an error
    square.refresh_from_db()
    assert square.local_government.code == "74.02"


def test_national_holidays_are_shown_but_only_a_superuser_changes_them(two_governments):
    client = admin_client("kominfo.konawe", "74.02")
    national = Holiday.objects.filter(local_government__isnull=True).first()
    assert national is not None
    listing = client.get("/admin/places/holiday/").content.decode()
    assert national.name in listing
    page = client.get(f"/admin/places/holiday/{national.pk}/change/").content.decode()
    assert 'name="_save"' not in page  # read-only view
    assert (
        client.post(f"/admin/places/holiday/{national.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Holiday.objects.filter(pk=national.pk).exists()
