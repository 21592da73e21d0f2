import json
from datetime import date

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from cameras.models import Camera
from compliance.models import DailyVerdict
from places.models import AuditLogEntry, Office
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db
SECRET = "Kamera-Rahasia-42"


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_token_from_the_command_opens_the_api(role_users, capsys):
    call_command("create_api_token", "diskominfo")
    token = capsys.readouterr().out.split()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/offices/")
    assert response.status_code == 200
    assert response.json()["count"] == 65


def test_no_token_no_data(role_users):
    response = APIClient().get("/api/v1/offices/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"error"}


def test_camat_sees_only_the_offices_of_their_kecamatan(role_users):
    response = client_for(role_users["camat"]).get("/api/v1/offices/?page_size=100")
    codes = {office["code"] for office in response.json()["results"]}
    assert codes
    assert all(code.startswith("74.71.01.") for code in codes)
    other = Office.objects.exclude(kecamatan__code="74.71.01").first()
    assert client_for(role_users["camat"]).get(f"/api/v1/offices/{other.pk}/").status_code == 404


def test_mayor_reads_verdicts_but_not_camera_settings(role_users):
    office = Office.objects.get(code="74.71.01.1005")
    DailyVerdict.objects.create(
        office=office, date=date(2026, 11, 24), status="late", minutes_late=20
    )
    mayor = client_for(role_users["wali_kota"])
    verdicts = mayor.get("/api/v1/verdicts/?status=late&date_from=2026-11-01").json()
    assert [v["office_code"] for v in verdicts["results"]] == ["74.71.01.1005"]
    assert mayor.get("/api/v1/cameras/").status_code == 403


def test_camera_credentials_are_write_only(role_users):
    office = Office.objects.get(code="74.71.01.1005")
    staff = client_for(role_users["diskominfo"])
    created = staff.post(
        "/api/v1/cameras/",
        {
            "office": office.pk,
            "name": "Loket",
            "source_url": "rtsp://10.0.0.5:554/Streaming/Channels/101",
            "username": "admin",
            "password": SECRET,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert SECRET not in json.dumps(created.json())
    assert created.json()["has_credentials"] is True
    listing = staff.get("/api/v1/cameras/")
    assert SECRET not in listing.content.decode()
    assert Camera.objects.get(name="Loket").password.reveal() == SECRET


def test_credentials_in_the_url_are_refused(role_users):
    office = Office.objects.get(code="74.71.01.1005")
    response = client_for(role_users["diskominfo"]).post(
        "/api/v1/cameras/",
        {"office": office.pk, "name": "x", "source_url": f"rtsp://admin:{SECRET}@10.0.0.5/"},
        format="json",
    )
    assert response.status_code == 400
    assert "source_url" in response.json()["error"]["fields"]
    assert SECRET not in response.content.decode()


def test_auditor_is_read_only_and_reads_the_audit_log(role_users):
    auditor = client_for(role_users["auditor"])
    assert auditor.get("/api/v1/verdicts/").status_code == 200
    response = auditor.post(
        "/api/v1/excuses/",
        {"office": 1, "date_from": "2026-11-24", "date_to": "2026-11-24", "reason": "x"},
        format="json",
    )
    assert response.status_code == 403
    AuditLogEntry.objects.create(
        action="evidence",
        target="observation 1",
        local_government=role_users["auditor"].staff_profile.local_government,
    )
    assert auditor.get("/api/v1/audit-log/").json()["count"] == 1
    assert client_for(role_users["wali_kota"]).get("/api/v1/audit-log/").status_code == 403


def test_wrong_types_get_a_clear_error_and_change_nothing(role_users):
    office = Office.objects.get(code="74.71.01.1005")
    response = client_for(role_users["diskominfo"]).post(
        "/api/v1/excuses/",
        {"office": office.pk, "date_from": "kemarin", "date_to": 5, "reason": ""},
        format="json",
    )
    body = response.json()
    assert response.status_code == 400
    assert body["error"]["code"] == "invalid"
    assert {"date_from", "date_to", "reason"} <= set(body["error"]["fields"])
    assert not office.excuses.exists()


def test_diskominfo_cannot_reach_into_another_government(role_users, make_role_user):
    from places.models import Kecamatan, LocalGovernment

    konawe = LocalGovernment.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    unaaha = Kecamatan.objects.create(local_government=konawe, code="74.02.02", name="Unaaha")
    response = client_for(role_users["diskominfo"]).post(
        "/api/v1/offices/",
        {"code": "74.02.02.1001", "name": "Tumpas", "kecamatan": unaaha.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "kecamatan" in response.json()["error"]["fields"]


def test_camera_list_is_scoped_to_the_government(role_users):
    CameraFactory(office=Office.objects.get(code="74.71.01.1005"))
    assert client_for(role_users["diskominfo"]).get("/api/v1/cameras/").json()["count"] == 1


def test_health_reports_each_part(role_users):
    response = APIClient().get("/api/v1/health/")
    body = response.json()
    assert body["database"] is True
    assert set(body) == {"ok", "database", "broker", "workers"}
    assert response.status_code == (200 if body["ok"] else 503)


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/verdicts/" in paths
    assert "/api/v1/cameras/" in paths
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn.jsdelivr" not in docs


def test_a_second_holiday_on_the_same_date_is_refused_with_400(role_users, kendari, client):
    client.force_login(role_users["diskominfo"])
    # A government's own (local) holiday: national ones are the deployment's to write.
    body = {
        "date": "2000-01-01",
        "kind": "local",
        "name": "Hari jadi",
        "local_government": kendari.pk,
    }
    assert client.post("/api/v1/holidays/", body).status_code == 201
    response = client.post("/api/v1/holidays/", body)
    assert response.status_code == 400
    assert "date" in response.json()["error"]["fields"]
