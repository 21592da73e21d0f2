"""Open311 GeoReport v2: the spec's field names in and out; bad requests store nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import services
from complaints.models import Complaint
from tests.complaints.conftest import image_bytes, local_now, recent_visit

pytestmark = pytest.mark.django_db
BASE = "/open311/v2/"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def params(office, **overrides):
    data = {
        "service_code": "closed",
        "address_id": office.code,
        "description": "Kantor tutup pukul 08.30, tidak ada petugas.",
        "attribute[visited_at]": recent_visit().isoformat(),
        "email": "warga@example.com",
        "phone": "081233334444",
        "api_key": "ignored",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def assert_spec_error(response, status):
    assert response.status_code == status
    body = response.json()
    assert isinstance(body, list)
    assert body
    for item in body:
        assert set(item) == {"code", "description"}
        assert item["code"] == status
        assert item["description"]
    return " ".join(item["description"] for item in body)


def test_services_list_uses_spec_fields(client, kendari):
    body = client.get(BASE + "services.json").json()
    assert [s["service_code"] for s in body] == ["closed", "no_staff", "opened_late", "other"]
    assert body[0]["service_name"] == "Kantor tutup"
    for service in body:
        assert {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        } <= set(service)


def test_form_encoded_post_creates_a_request(client, office):
    response = client.post(BASE + "requests.json", params(office), REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 201
    (created,) = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    complaint = Complaint.objects.get()
    assert created["service_request_id"] == complaint.tracking_code
    assert complaint.source == "open311"
    assert complaint.contact_email == "warga@example.com"


def test_json_post_with_attribute_office_code(client, office):
    body = {
        "service_code": "no_staff",
        "description": "Pintu terbuka tapi tidak ada yang melayani.",
        "attribute": {"office_code": office.code, "visited_at": recent_visit().isoformat()},
    }
    response = client.post(
        BASE + "requests.json", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201
    assert Complaint.objects.get().kind == "no_staff"


def test_post_without_visit_time_uses_now(client, office):
    response = client.post(
        BASE + "requests.json", params(office, **{"attribute[visited_at]": None})
    )
    assert response.status_code == 201
    assert abs((Complaint.objects.get().visited_at - local_now()).total_seconds()) < 120


def test_post_with_photo_media(client, office):
    media = SimpleUploadedFile("m.png", image_bytes("PNG"), content_type="image/png")
    response = client.post(BASE + "requests.json", {**params(office), "media": media})
    assert response.status_code == 201
    assert Complaint.objects.get().photo.read().startswith(b"\xff\xd8\xff")


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        pytest.param({"service_code": None}, "service_code", id="missing-service-code"),
        pytest.param({"service_code": "potholes"}, "service_code", id="unknown-service-code"),
        pytest.param({"address_id": None}, "address_id", id="missing-office"),
        pytest.param({"address_id": "99.99"}, "address_id", id="unknown-office"),
        pytest.param({"description": None}, "description", id="missing-description"),
        pytest.param({"description": "<b>tutup</b> kantornya"}, "HTML", id="html"),
        pytest.param({"attribute[visited_at]": "kemarin"}, "ISO 8601", id="bad-datetime"),
        pytest.param(
            {"attribute[visited_at]": "2099-01-01T08:00:00+08:00"}, "masa depan", id="future"
        ),
        pytest.param({"email": "x@"}, "email", id="bad-email"),
    ],
)
def test_bad_request_answers_400_with_spec_errors_and_stores_nothing(
    client, office, overrides, needle
):
    response = client.post(BASE + "requests.json", params(office, **overrides))
    text = assert_spec_error(response, 400)
    assert needle in text
    assert Complaint.objects.count() == 0


def test_invalid_json_is_a_spec_error(client, office):
    response = client.post(BASE + "requests.json", "{nope", content_type="application/json")
    assert_spec_error(response, 400)
    assert Complaint.objects.count() == 0


def test_fake_media_is_rejected(client, office):
    media = SimpleUploadedFile(
        "m.png", b"\x89PNG\r\n\x1a\n#!/bin/sh\nrm -rf /", content_type="image/png"
    )
    response = client.post(BASE + "requests.json", {**params(office), "media": media})
    assert "media" in assert_spec_error(response, 400)
    assert Complaint.objects.count() == 0


def test_open311_is_rate_limited_and_csrf_exempt(office):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    for hour in range(1, 6):
        data = params(
            office,
            email=f"w{hour}@example.com",
            phone="",
            **{"attribute[visited_at]": recent_visit(hour).isoformat()},
        )
        assert client.post(BASE + "requests.json", data).status_code == 201
    response = client.post(BASE + "requests.json", params(office, email="w9@example.com"))
    assert "Terlalu banyak" in assert_spec_error(response, 429)
    assert Complaint.objects.count() == 5


def test_get_request_returns_public_fields_only(client, office):
    client.post(BASE + "requests.json", params(office))
    complaint = Complaint.objects.get()
    response = client.get(BASE + f"requests/{complaint.tracking_code}.json")
    (item,) = response.json()
    assert set(item) == REQUEST_FIELDS
    assert item["service_request_id"] == complaint.tracking_code
    assert item["status"] == "open"
    assert item["address_id"] == office.code
    assert item["description"] == ""  # published only after staff triage
    raw = response.content.decode()
    for secret in ("warga@example.com", "081233334444", complaint.ip_hash):
        assert secret not in raw


def test_unknown_request_is_404_spec_error(client, kendari):
    assert_spec_error(client.get(BASE + "requests/NOPE.json"), 404)


def test_get_requests_list_and_filters(client, office):
    client.post(BASE + "requests.json", params(office))
    client.post(
        BASE + "requests.json",
        params(
            office,
            service_code="opened_late",
            email="lain@example.com",
            **{"attribute[visited_at]": recent_visit(2).isoformat()},
        ),
    )
    late = Complaint.objects.get(kind="opened_late")
    services.mark_verified(late, None)
    services.close_complaint(late, None, local_now())
    every = client.get(BASE + "requests.json").json()
    assert len(every) == 2
    assert all(set(item) == REQUEST_FIELDS for item in every)
    closed = client.get(BASE + "requests.json", {"status": "closed"}).json()
    assert [item["service_code"] for item in closed] == ["opened_late"]
    assert closed[0]["description"].startswith("Kantor tutup")
    by_code = client.get(BASE + "requests.json", {"service_code": "closed"}).json()
    assert [item["status"] for item in by_code] == ["open"]
    future = client.get(BASE + "requests.json", {"start_date": "2099-01-01T00:00:00Z"}).json()
    assert future == []
    assert_spec_error(client.get(BASE + "requests.json", {"status": "pending"}), 400)
    assert_spec_error(client.get(BASE + "requests.json", {"end_date": "soon"}), 400)
    assert "warga@example.com" not in client.get(BASE + "requests.json").content.decode()
