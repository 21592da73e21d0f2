"""National holidays are shared by every government: only a superuser (or the sync task)
writes them, through the API and the admin alike; a government's own holidays stay its own."""

import datetime

import pytest
from django.test import Client

from kelurahan_monitor import roles
from places.models import Holiday, Kecamatan, LocalGovernment

pytestmark = pytest.mark.django_db


@pytest.fixture
def konawe(kendari):
    government = LocalGovernment.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    Kecamatan.objects.create(local_government=government, code="74.02.02", name="Unaaha")
    return government


@pytest.fixture
def konawe_diskominfo(konawe, make_role_user):
    return make_role_user("Diskominfo", konawe, username="kominfo.konawe")


@pytest.fixture
def superuser(make_role_user):
    return make_role_user(None, username="root", is_superuser=True, is_staff=True)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def national_holiday() -> Holiday:
    return Holiday.objects.filter(local_government__isnull=True).order_by("date").first()


def test_the_rule_keeps_shared_rows_for_superusers(konawe, konawe_diskominfo, superuser, kendari):
    assert not roles.can_write_row(konawe_diskominfo, None)
    assert roles.can_write_row(konawe_diskominfo, konawe.pk)
    assert not roles.can_write_row(konawe_diskominfo, kendari.pk)
    assert roles.can_write_row(superuser, None)


def test_a_government_cannot_create_a_national_holiday_through_the_api(konawe_diskominfo):
    client = logged_in(konawe_diskominfo)
    before = Holiday.objects.count()
    response = client.post(
        "/api/v1/holidays/",
        {"date": "2026-12-02", "name": "Libur palsu", "kind": "national"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Holiday.objects.count() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_government_cannot_change_a_national_holiday_through_the_api(konawe_diskominfo, method):
    holiday = national_holiday()
    client = logged_in(konawe_diskominfo)
    body = {"date": "2026-12-03", "name": "Diganti", "kind": "national"}
    response = getattr(client, method)(
        f"/api/v1/holidays/{holiday.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 403
    holiday.refresh_from_db()
    assert holiday.name != "Diganti"


def test_a_local_holiday_cannot_be_turned_national(konawe, konawe_diskominfo):
    local = Holiday.objects.create(
        date=datetime.date(2026, 12, 4), name="HUT Konawe", kind="local", local_government=konawe
    )
    client = logged_in(konawe_diskominfo)
    response = client.patch(
        f"/api/v1/holidays/{local.pk}/",
        {"kind": "national", "local_government": None},
        content_type="application/json",
    )
    assert response.status_code == 403
    local.refresh_from_db()
    assert local.kind == "local"


def test_a_government_keeps_writing_its_own_holidays(konawe, konawe_diskominfo):
    client = logged_in(konawe_diskominfo)
    body = {"date": "2026-12-04", "name": "HUT", "kind": "local", "local_government": konawe.pk}
    created = client.post("/api/v1/holidays/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/holidays/{created.json()['id']}/"
    assert client.patch(url, {"name": "HUT"}, content_type="application/json").status_code == 200
    assert client.delete(url).status_code == 204


def test_a_superuser_maintains_national_holidays(superuser):
    client = logged_in(superuser)
    response = client.post(
        "/api/v1/holidays/",
        {"date": "2026-12-02", "name": "Libur tambahan", "kind": "national"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def test_the_admin_refuses_a_national_holiday_from_a_government(konawe_diskominfo):
    konawe_diskominfo.is_staff = True
    konawe_diskominfo.save()
    from django.contrib.auth.models import Permission

    konawe_diskominfo.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_holiday", "change_holiday"])
    )
    client = logged_in(konawe_diskominfo)
    before = Holiday.objects.count()
    response = client.post(
        "/admin/places/holiday/add/",
        {"date": "2026-12-02", "name": "Libur palsu", "kind": "national", "local_government": ""},
    )
    assert response.status_code == 200  # the form again, with the error
    assert "pengelola sistem" in response.content.decode()
    assert Holiday.objects.count() == before
    holiday = national_holiday()
    change = client.post(
        f"/admin/places/holiday/{holiday.pk}/change/",
        {"date": str(holiday.date), "name": "Diganti", "kind": holiday.kind},
    )
    assert change.status_code == 403
    holiday.refresh_from_db()
    assert holiday.name != "Diganti"


def test_a_holiday_on_a_taken_date_is_a_400(konawe, konawe_diskominfo, superuser):
    taken = national_holiday()
    response = logged_in(superuser).post(
        "/api/v1/holidays/",
        {"date": str(taken.date), "name": "Dua kali", "kind": "national"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "date" in str(response.json())
    client = logged_in(konawe_diskominfo)
    body = {"date": "2026-12-04", "name": "A", "kind": "local", "local_government": konawe.pk}
    first = client.post("/api/v1/holidays/", body, content_type="application/json")
    assert first.status_code == 201
    again = client.post("/api/v1/holidays/", body, content_type="application/json")
    assert again.status_code == 400
    other = client.post(
        "/api/v1/holidays/", {**body, "date": "2026-12-05"}, content_type="application/json"
    )
    moved = client.put(
        f"/api/v1/holidays/{other.json()['id']}/", body, content_type="application/json"
    )
    assert moved.status_code == 400
