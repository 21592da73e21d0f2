"""No input makes a 500: NUL bytes, calendar edges and impossible dates end in a 400 or 404 in
the product's error shape (API body, Open311 error list, or the not-found page)."""

import pytest
from django.test import Client

from places.models import Office, OpeningHours

pytestmark = pytest.mark.django_db

NOT_FOUND_OR_BAD = {400, 404}

ANONYMOUS = [
    "/publik/%00/",
    "/publik/74.71/?pemda=%00",
    "/pengaduan/lacak/?kode=%00",
    "/pengaduan/lacak/%00/",
    "/open311/v2/requests/%00.json",
    "/open311/v2/requests.json?service_code=%00",
    "/open311/v2/requests.json?service_request_id=%00",
    "/open311/v2/requests.json?start_date=0001-01-01T00:00:00%2B14:00",
    "/open311/v2/requests.json?start_date=2026-02-30T00:00:00Z",
    "/open311/v2/requests.json?end_date=9999-12-31T23:59:59-12:00",
    "/api/v1/public/cameras/?pemda=%00",
    "/api/v1/public/incidents/?pemda=%00",
]
STAFF = [
    "/hari/0001-01-01/",
    "/hari/9999-12-31/",
    "/minggu/0001-01-01/",
    "/minggu/9999-12-31/",
    "/bulan/0001-01/",
    "/bulan/9999-12/",
    "/kantor/%00/",
    "/laporan/harian/9999-12-31.xlsx",
    "/laporan/harian/0001-01-01.csv",
    "/laporan/bulanan/9999-12.xlsx",
    "/api/v1/offices/?search=%00",
    "/api/v1/verdicts/?office=%00",
    "/api/v1/complaints/?search=%00",
]


@pytest.mark.parametrize("path", ANONYMOUS)
def test_anonymous_input_never_makes_a_500(kendari, path):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code in NOT_FOUND_OR_BAD, (path, response.status_code)
    if path.startswith("/open311/"):
        body = response.json()
        assert isinstance(body, list)
        assert body[0]["code"] == response.status_code
    elif path.startswith("/api/"):
        assert response.json()["error"]["status"] == response.status_code


@pytest.mark.parametrize("path", STAFF + ANONYMOUS)
def test_staff_input_never_makes_a_500(role_users, path):
    client = Client(raise_request_exception=False)
    client.force_login(role_users["diskominfo"])
    response = client.get(path)
    assert response.status_code in NOT_FOUND_OR_BAD, (path, response.status_code)


def api(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_opening_hours_without_their_office_are_a_400_or_the_default(role_users, kendari):
    office = Office.objects.get(code="74.71.01.1005")
    own = OpeningHours.objects.create(
        local_government=kendari, office=office, weekday=5, opens_at="08:00", closes_at="12:00"
    )
    client = api(role_users["diskominfo"])
    body = {"weekday": 5, "opens_at": "08:00", "closes_at": "12:00"}
    # Without office and government: nothing says whose hours these are.
    put = client.put(f"/api/v1/opening-hours/{own.pk}/", body, content_type="application/json")
    assert put.status_code == 400
    assert "local_government" in put.json()["error"]["fields"]
    # Monday's government default exists already (seeded): a second one is refused.
    monday = {**body, "weekday": 0, "local_government": kendari.pk}
    taken = client.put(f"/api/v1/opening-hours/{own.pk}/", monday, content_type="application/json")
    assert taken.status_code == 400
    assert "weekday" in taken.json()["error"]["fields"]
    twice = client.post(
        "/api/v1/opening-hours/", {**body, "office": office.pk}, content_type="application/json"
    )
    assert twice.status_code == 400


def test_open311_keeps_real_dates_working(kendari):
    response = Client().get("/open311/v2/requests.json?start_date=2026-11-01T00:00:00%2B08:00")
    assert response.status_code == 200
