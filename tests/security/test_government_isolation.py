"""Two local governments in one deployment: a user of one never sees the other's data."""

import pytest
from django.test import Client

from places.models import Kecamatan, LocalGovernment, Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def konawe_user(kendari, make_role_user):
    konawe = LocalGovernment.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    unaaha = Kecamatan.objects.create(local_government=konawe, code="74.02.02", name="Unaaha")
    Office.objects.create(code="74.02.02.1001", name="Tumpas", kecamatan=unaaha)
    return make_role_user("Diskominfo", konawe, username="kominfo.konawe")


@pytest.mark.parametrize(
    "path",
    ["/", "/api/v1/offices/", "/laporan/harian/2026-11-24.csv", "/laporan/bulanan/2026-11.csv"],
)
def test_konawe_staff_see_only_konawe(konawe_user, path):
    client = Client()
    client.force_login(konawe_user)
    response = client.get(path)
    assert response.status_code == 200
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    assert "Tumpas" in body or "74.02.02.1001" in body
    assert "Mandonga" not in body
    assert "74.71.01.1005" not in body


def test_kendari_staff_do_not_see_konawe(konawe_user, role_users):
    client = Client()
    client.force_login(role_users["diskominfo"])
    assert "Tumpas" not in client.get("/").content.decode()
    assert client.get("/kantor/74.02.02.1001/").status_code == 404
    offices = client.get("/api/v1/offices/?page_size=200").json()
    assert all(o["code"].startswith("74.71.") for o in offices["results"])
