"""Incident posts through the API (staff CRUD, public read) and the public Atom feed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from cameras.models import Camera
from incidents.models import Incident
from places.models import AuditLogEntry, Kecamatan, LocalGovernment, Office

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=WITA)
ATOM = "{http://www.w3.org/2005/Atom}"
API = "/api/v1/incidents/"
PUBLIC_API = "/api/v1/public/incidents/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(**overrides) -> dict:
    body = {
        "kind": "kecelakaan",
        "severity": "tinggi",
        "title": "Tabrakan truk dan angkot di bypass",
        "place": "Jl. Bypass depan SPBU Wua-Wua",
        "description": "Satu lajur ditutup, polisi di lokasi.",
        "latitude": "-3.998000",
        "longitude": "122.491000",
        "starts_at": "2026-11-24T08:45:00+08:00",
        "expires_at": "2026-11-24T12:00:00+08:00",
    }
    body.update(overrides)
    return body


def make_incident(government, **fields) -> Incident:
    values = {
        "kind": "macet",
        "severity": "sedang",
        "title": "Antrean panjang di simpang Bundaran Tugu",
        "place": "Bundaran Tugu Religi",
        "starts_at": NOW - timedelta(hours=1),
        "expires_at": NOW + timedelta(hours=2),
    }
    values.update(fields)
    return Incident.objects.create(local_government=government, **values)


@pytest.fixture
def at_nine():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def konawe(kendari):
    konawe = LocalGovernment.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    Kecamatan.objects.create(local_government=konawe, code="74.02.02", name="Unaaha")
    return konawe


@pytest.fixture
def posts(kendari, konawe, role_users):
    """Kendari: two active posts (one severe), one expired, one scheduled, one removed;
    Konawe: one active post."""
    author = role_users["diskominfo"]
    return {
        "fire": make_incident(
            kendari,
            kind="kebakaran",
            severity="tinggi",
            title="Kebakaran gudang di Kelurahan Korumba",
            place="Jl. Sao-Sao",
            created_by=author,
            starts_at=NOW - timedelta(minutes=20),
        ),
        "jam": make_incident(kendari, created_by=author),
        "expired": make_incident(
            kendari,
            kind="banjir",
            title="Genangan kemarin sore",
            starts_at=NOW - timedelta(hours=20),
            expires_at=NOW - timedelta(minutes=1),
        ),
        "scheduled": make_incident(
            kendari,
            kind="lainnya",
            title="Karnaval HUT Kota nanti sore",
            starts_at=NOW + timedelta(hours=6),
            expires_at=NOW + timedelta(hours=10),
        ),
        "removed": make_incident(
            kendari,
            kind="banjir",
            title="Kiriman keliru yang sudah dihapus",
            removed_at=NOW - timedelta(minutes=5),
        ),
        "konawe": make_incident(konawe, title="Jembatan Unaaha ditutup sementara"),
    }


# --- Staff API ---------------------------------------------------------------------------------


def test_api_crud_is_scoped_audited_and_delete_keeps_the_row(role_users, kendari, konawe, at_nine):
    staff = api_as(role_users["diskominfo"])

    created = staff.post(API, payload(local_government="74.02"), format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    incident = Incident.objects.get(pk=body["id"])
    # The government comes from the account, never from the request body.
    assert body["local_government"] == "74.71"
    assert incident.local_government == kendari
    assert incident.created_by == role_users["diskominfo"]
    assert body["kind_label"] == "Kecelakaan"
    assert body["has_still"] is False
    assert AuditLogEntry.objects.get(action="incident.create").target == (
        f"incident {incident.pk} 74.71: Tabrakan truk dan angkot di bypass"
    )

    assert [row["id"] for row in staff.get(API).json()["results"]] == [incident.pk]
    assert staff.get(f"{API}{incident.pk}/").json()["title"] == incident.title

    patched = staff.patch(
        f"{API}{incident.pk}/",
        {"place": "Jl. Bypass km 3", "expires_at": "2026-11-24T13:00:00+08:00"},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    incident.refresh_from_db()
    assert incident.place == "Jl. Bypass km 3"
    assert incident.expires_at == datetime(2026, 11, 24, 13, 0, tzinfo=WITA)
    assert AuditLogEntry.objects.get(action="incident.update").target == (
        f"incident {incident.pk} 74.71: place,expires_at"
    )

    deleted = staff.delete(f"{API}{incident.pk}/")

    assert deleted.status_code == 204
    incident.refresh_from_db()
    assert incident.removed_at == NOW
    assert AuditLogEntry.objects.filter(action="incident.remove").count() == 1
    # Still listed for staff, marked removed; no longer public; no longer editable.
    listed = staff.get(f"{API}{incident.pk}/").json()
    assert listed["removed_at"] is not None
    assert Client().get(f"{PUBLIC_API}?pemda=74.71").json() == []
    refused = staff.patch(f"{API}{incident.pk}/", {"title": "Hidup lagi"}, format="json")
    assert refused.status_code == 403
    assert set(refused.json()) == {"error"}
    incident.refresh_from_db()
    assert incident.title == "Tabrakan truk dan angkot di bypass"
    assert staff.delete(f"{API}{incident.pk}/").status_code == 204
    assert AuditLogEntry.objects.filter(action="incident.remove").count() == 1


def test_token_from_the_command_posts_an_incident(role_users, capsys, at_nine):
    call_command("create_api_token", "diskominfo")
    token = capsys.readouterr().out.split()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = client.post(API, payload(), format="json")

    assert response.status_code == 201, response.json()
    assert Incident.objects.get().created_by == role_users["diskominfo"]
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    refused = bad.post(API, payload(), format="json")
    assert refused.status_code in (401, 403)
    assert refused.json()["error"]["code"] == "authentication_failed"
    assert Incident.objects.count() == 1


def test_wrong_types_get_the_api_error_shape_and_store_nothing(role_users):
    response = api_as(role_users["diskominfo"]).post(
        API,
        {
            "kind": "gempa",
            "severity": 5,
            "title": "",
            "latitude": "utara",
            "starts_at": "besok pagi",
            "expires_at": ["2026-11-24"],
            "camera": "kamera-1",
        },
        format="json",
    )

    body = response.json()
    assert response.status_code == 400
    assert body["error"]["status"] == 400
    assert body["error"]["code"] == "invalid"
    assert {"kind", "severity", "title", "place", "latitude", "starts_at", "expires_at"} <= set(
        body["error"]["fields"]
    )
    assert "camera" in body["error"]["fields"]
    assert not Incident.objects.exists()
    assert not AuditLogEntry.objects.filter(action__startswith="incident.").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"expires_at": "2026-11-24T08:00:00+08:00"}, "expires_at"),
        ({"expires_at": "2026-12-08T08:46:00+08:00"}, "expires_at"),
        ({"longitude": None}, "longitude"),
        ({"latitude": "200"}, "latitude"),
    ],
    ids=["expires-before-start", "longer-than-14-days", "latitude-only", "latitude-200"],
)
def test_invalid_post_is_refused(role_users, overrides, field):
    response = api_as(role_users["diskominfo"]).post(API, payload(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Incident.objects.exists()


def test_camera_of_another_government_is_refused(role_users, konawe):
    camera = Camera.objects.create(
        local_government=konawe,
        kind="public_area",
        kecamatan=konawe.kecamatan.get(),
        name="Alun-alun Unaaha",
        source_url="file:///nonexistent.jpg",
        is_public=True,
    )
    response = api_as(role_users["diskominfo"]).post(API, payload(camera=camera.pk), format="json")
    assert response.status_code == 400
    assert "camera" in response.json()["error"]["fields"]
    assert not Incident.objects.exists()


def test_own_office_camera_is_accepted_but_attaches_no_picture(role_users, kendari):
    camera = Camera.for_office(
        Office.objects.get(code="74.71.01.1005"), name="Loket", source_url="file:///x.jpg"
    )
    camera.save()
    response = api_as(role_users["diskominfo"]).post(API, payload(camera=camera.pk), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["camera"] == camera.pk
    assert response.json()["has_still"] is False


@pytest.mark.parametrize("role", ["camat", "wali_kota", "auditor"])
def test_other_staff_read_but_cannot_write(role_users, posts, role):
    client = api_as(role_users[role])
    listing = client.get(API)
    assert listing.status_code == 200
    ids = {row["id"] for row in listing.json()["results"]}
    # Every Kendari post (removed and expired included), no Konawe post.
    assert ids == {posts[key].pk for key in posts if key != "konawe"}

    fire = posts["fire"]
    assert client.post(API, payload(), format="json").status_code == 403
    assert client.patch(f"{API}{fire.pk}/", {"title": "x"}, format="json").status_code == 403
    assert client.delete(f"{API}{fire.pk}/").status_code == 403
    fire.refresh_from_db()
    assert fire.title == "Kebakaran gudang di Kelurahan Korumba"
    assert fire.removed_at is None
    assert Incident.objects.count() == len(posts)


def test_no_role_and_anonymous_get_nothing(role_users, posts):
    assert api_as(role_users["no_role"]).get(API).status_code == 403
    anonymous = APIClient().get(API)
    assert anonymous.status_code in (401, 403)
    assert set(anonymous.json()) == {"error"}
    assert APIClient().post(API, payload(), format="json").status_code in (401, 403)
    assert Incident.objects.count() == len(posts)


def test_operator_without_a_government_is_refused_not_crashed(kendari, make_role_user):
    orphan = make_role_user("Diskominfo", None, username="kominfo.tanpa.pemda")
    camera = Camera.for_office(
        Office.objects.get(code="74.71.01.1005"), name="Loket", source_url="file:///x.jpg"
    )
    camera.save()
    client = api_as(orphan)
    client.raise_request_exception = False

    without_camera = client.post(API, payload(), format="json")
    with_camera = client.post(API, payload(camera=camera.pk), format="json")

    assert without_camera.status_code == 403
    assert with_camera.status_code == 403
    assert not Incident.objects.exists()


def test_staff_list_filters_by_kind_and_severity(role_users, posts):
    client = api_as(role_users["wali_kota"])
    floods = client.get(f"{API}?kind=banjir").json()["results"]
    assert {row["id"] for row in floods} == {posts["expired"].pk, posts["removed"].pk}
    severe = client.get(f"{API}?severity=tinggi").json()["results"]
    assert [row["id"] for row in severe] == [posts["fire"].pk]
    assert client.get(f"{API}?kind=gempa").status_code == 400


# --- Public API --------------------------------------------------------------------------------


def test_public_api_lists_only_active_posts_without_staff_fields(posts, at_nine):
    response = APIClient().get(f"{PUBLIC_API}?pemda=74.71")

    assert response.status_code == 200
    rows = response.json()
    # Most severe first, then newest.
    assert [row["id"] for row in rows] == [posts["fire"].pk, posts["jam"].pk]
    for row in rows:
        assert not {"created_by", "camera", "removed_at", "created_at", "local_government"} & set(
            row
        )
    assert rows[0]["kind_label"] == "Kebakaran"
    assert rows[0]["still_url"] is None
    text = json.dumps(rows)
    assert "diskominfo" not in text
    konawe = APIClient().get(f"{PUBLIC_API}?pemda=74.02").json()
    assert [row["id"] for row in konawe] == [posts["konawe"].pk]


@pytest.mark.usefixtures("evidence_storage")
def test_public_api_links_the_picture_of_a_post(posts, at_nine):
    picture = b"\xff\xd8\xff\xe0 blurred still \xff\xd9"
    posts["jam"].still.save("74.71/jam.jpg", ContentFile(picture))

    rows = {row["id"]: row for row in APIClient().get(f"{PUBLIC_API}?pemda=74.71").json()}

    url = rows[posts["jam"].pk]["still_url"]
    assert url == f"http://testserver/publik/74.71/kejadian/{posts['jam'].pk}.jpg"
    assert rows[posts["fire"].pk]["still_url"] is None
    response = Client().get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == picture


def test_public_api_needs_a_known_pemda(posts):
    missing = APIClient().get(PUBLIC_API)
    assert missing.status_code == 400
    assert "pemda" in missing.json()["error"]["fields"]
    empty = APIClient().get(f"{PUBLIC_API}?pemda=")
    assert empty.status_code == 400
    unknown = APIClient().get(f"{PUBLIC_API}?pemda=99.99")
    assert unknown.status_code == 404
    assert set(unknown.json()) == {"error"}


def test_public_api_follows_the_clock_without_any_job(posts):
    client = APIClient()

    def active_ids(at: datetime) -> set[int]:
        with time_machine.travel(at, tick=False):
            return {row["id"] for row in client.get(f"{PUBLIC_API}?pemda=74.71").json()}

    fire, jam, scheduled = posts["fire"], posts["jam"], posts["scheduled"]
    assert active_ids(fire.expires_at - timedelta(seconds=1)) == {fire.pk, jam.pk}
    assert active_ids(fire.expires_at) == set()
    assert active_ids(scheduled.starts_at - timedelta(seconds=1)) == set()
    assert active_ids(scheduled.starts_at) == {scheduled.pk}


# --- Atom feed ---------------------------------------------------------------------------------


def feed_entries(code: str) -> tuple[ET.Element, list[ET.Element]]:
    response = Client().get(f"/publik/{code}/kejadian.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed, parsed in a test)
    assert root.tag == f"{ATOM}feed"
    return root, root.findall(f"{ATOM}entry")


def test_feed_has_one_entry_per_active_post(posts, at_nine):
    root, entries = feed_entries("74.71")

    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles == [
        "[Kebakaran] Kebakaran gudang di Kelurahan Korumba",
        "[Macet] Antrean panjang di simpang Bundaran Tugu",
    ]
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert links == [
        f"http://testserver/publik/74.71/#kejadian-{posts['fire'].pk}",
        f"http://testserver/publik/74.71/#kejadian-{posts['jam'].pk}",
    ]
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == 2
    summary = entries[0].findtext(f"{ATOM}summary")
    assert "Jl. Sao-Sao" in summary
    assert "Tinggi" in summary
    body = ET.tostring(root, encoding="unicode")
    for key in ("expired", "scheduled", "removed", "konawe"):
        assert posts[key].title not in body, key
    assert "Kendari" in root.findtext(f"{ATOM}title")


def test_feed_of_an_unknown_government_is_404(kendari):
    assert Client().get("/publik/99.99/kejadian.atom").status_code == 404


def test_feed_entries_lapse_with_time(posts):
    with time_machine.travel(posts["scheduled"].starts_at, tick=False):
        _root, entries = feed_entries("74.71")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles == ["[Lainnya] Karnaval HUT Kota nanti sore"]
