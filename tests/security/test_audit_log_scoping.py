"""The audit log is scoped like everything else: each government reads only its own entries."""

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from places.models import AuditLogEntry, Kecamatan, LocalGovernment, Office
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def konawe(kendari):
    konawe = LocalGovernment.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    unaaha = Kecamatan.objects.create(local_government=konawe, code="74.02.02", name="Unaaha")
    Office.objects.create(code="74.02.02.1001", name="Tumpas", kecamatan=unaaha)
    return konawe


@pytest.fixture
def entries(kendari, konawe):
    AuditLogEntry.objects.create(
        action="evidence", target="kendari-entry", local_government=kendari
    )
    AuditLogEntry.objects.create(action="evidence", target="konawe-entry", local_government=konawe)
    AuditLogEntry.objects.create(action="evidence", target="nobodys-entry")


def _api_targets(user) -> set[str]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/audit-log/?page_size=100")
    assert response.status_code == 200
    return {row["target"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", ["Diskominfo", "Auditor"])
def test_each_governments_readers_see_only_its_entries_in_the_api(
    role, kendari, konawe, entries, make_role_user
):
    kendari_reader = make_role_user(role, kendari, username=f"{role}.kendari")
    konawe_reader = make_role_user(role, konawe, username=f"{role}.konawe")
    assert _api_targets(kendari_reader) == {"kendari-entry"}
    assert _api_targets(konawe_reader) == {"konawe-entry"}


def test_a_superuser_without_a_profile_reads_every_entry(entries, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    assert _api_targets(root) == {"kendari-entry", "konawe-entry", "nobodys-entry"}


def test_the_admin_lists_only_the_staffs_own_government(entries):
    call_command(
        "grant_role",
        "kominfo.konawe",
        "Diskominfo",
        "--government",
        "74.02",
        "--create",
        verbosity=0,
    )
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="kominfo.konawe"))
    listing = client.get("/admin/places/auditlogentry/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "konawe-entry" in body
    assert "kendari-entry" not in body
    assert "nobodys-entry" not in body
    kendari_entry = AuditLogEntry.objects.get(target="kendari-entry")
    assert client.get(f"/admin/places/auditlogentry/{kendari_entry.pk}/change/").status_code in (
        302,
        404,
    )


def test_an_entry_belongs_to_the_government_whose_data_was_opened(
    kendari, konawe, django_user_model
):
    root = django_user_model.objects.create_superuser("root", password="x")
    camera = CameraFactory(office=Office.objects.get(code="74.02.02.1001"))
    client = Client()
    client.force_login(root)
    assert client.get(f"/pusat-komando/kamera/{camera.pk}/").status_code == 200
    entry = AuditLogEntry.objects.get(action="wall.camera")
    assert entry.local_government == konawe


def test_a_staff_members_entries_belong_to_their_own_government(role_users, kendari):
    client = Client()
    client.force_login(role_users["diskominfo"])
    client.get("/laporan/harian/2026-11-24.csv")
    entry = AuditLogEntry.objects.get(action="export")
    assert entry.local_government == kendari
