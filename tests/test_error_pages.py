"""The 404, 403 and 500 pages speak Indonesian in the product's layout; the API keeps its body."""

import pytest
from django.test import RequestFactory

from kelurahan_monitor.errors import server_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_unknown_page_is_an_indonesian_404_in_the_layout(client):
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Halaman tidak ditemukan" in html
    assert 'class="topbar"' in html
    assert "Not Found" not in html
    assert 'href="/pengaduan/"' in html


def test_refused_page_is_an_indonesian_403_with_its_reason(client):
    client.force_login(UserFactory(username="tanpa.peran"))
    response = client.get("/peringkat/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Akses ditolak" in html
    assert "Akun ini belum memiliki akses ke dasbor." in html
    assert 'class="topbar"' in html


def test_server_error_page_renders_without_the_request_context():
    request = RequestFactory().get("/peringkat/")
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Terjadi kesalahan pada server" in html
    assert 'class="topbar"' in html


@pytest.mark.parametrize("path", ["/api/v1/tidak-ada/", "/open311/v2/tidak-ada.json"])
def test_machine_paths_keep_the_api_error_body(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["status"] == 404
    assert error["code"] == "not_found"


def test_api_500_keeps_the_api_error_body():
    response = server_error(RequestFactory().get("/api/v1/offices/"))
    assert response.status_code == 500
    assert b'"code": "server_error"' in response.content
