"""The cross-government matrix: Kota Kendari and Kabupaten Konawe in one deployment, every role
of both, every API endpoint and every picture: nobody lists, opens, changes or deletes the other
government's rows, nobody points their rows at the other's, and shared rows (national holidays)
are written by nobody but a superuser. (The audit log has its own scoping work and tests.)"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client

from cameras.models import Camera, CameraStill, Evidence, Observation
from complaints.models import Complaint
from compliance.models import DailyVerdict
from incidents.models import Incident
from places.models import Excuse, Holiday, Kecamatan, LocalGovernment, Office, OpeningHours
from reports.models import Report

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
DAY = date(2026, 11, 24)
JPEG = (settings.BASE_DIR / "kelurahan_monitor/demo_frames/one_by_one_room/0012.jpg").read_bytes()
ROLES = {
    "wali_kota": "Wali Kota",
    "diskominfo": "Diskominfo",
    "camat": "Camat",
    "auditor": "Auditor",
}
REFUSED = {403, 404, 405}


@dataclass
class Government:
    government: LocalGovernment
    office: Office
    camera: Camera
    observation: Observation
    still: CameraStill
    complaint: Complaint
    users: dict[str, object] = field(default_factory=dict)
    # API endpoint -> id of one of this government's rows there.
    rows: dict[str, int | str] = field(default_factory=dict)


def build(government: LocalGovernment, office: Office, make_role_user) -> Government:
    slot = datetime(2026, 11, 24, 8, 0, tzinfo=WITA)
    camera = Camera.for_office(office, name="Loket", source_url="file:///srv/frames/loket.jpg")
    camera.save()
    observation = Observation.objects.create(
        camera=camera, slot=slot, office_date=DAY, status="ok", people_count=2, people_in_zone=2
    )
    evidence = Evidence(observation=observation, width=64, height=48)
    evidence.image.save("e.jpg", ContentFile(JPEG), save=True)
    still = CameraStill.objects.create(camera=camera, slot=slot, status="ok", captured_at=slot)
    still.image.save(f"{camera.pk}/s.jpg", ContentFile(JPEG), save=True)
    complaint = Complaint(
        tracking_code=f"T{office.pk:07d}",
        office=office,
        visited_at=slot,
        kind="closed",
        description="Pintu masih terkunci.",
        received_on=DAY,
        forward_due=DAY + timedelta(days=1),
        answer_due=DAY + timedelta(days=5),
    )
    complaint.photo.save("p.jpg", ContentFile(JPEG), save=False)
    complaint.save()
    rows = {
        "offices": office.pk,
        "cameras": camera.pk,
        "observations": observation.pk,
        "complaints": complaint.tracking_code,
        "excuses": Excuse.objects.create(
            office=office, date_from=DAY, date_to=DAY, reason="Rapat"
        ).pk,
        "holidays": Holiday.objects.create(
            date=date(2026, 12, 4), name="HUT", kind="local", local_government=government
        ).pk,
        "opening-hours": OpeningHours.objects.create(
            local_government=government,
            office=office,
            weekday=5,
            opens_at="08:00",
            closes_at="12:00",
        ).pk,
        "verdicts": DailyVerdict.objects.create(office=office, date=DAY, status="on_time").pk,
        "incidents": Incident.objects.create(
            local_government=government,
            kind="flood",
            title="Banjir",
            place="Pasar",
            starts_at=slot,
            expires_at=slot + timedelta(hours=6),
        ).pk,
        "reports": Report.objects.create(
            local_government=government, kind="daily", date=DAY, file_path="x.xlsx"
        ).pk,
    }
    result = Government(government, office, camera, observation, still, complaint, rows=rows)
    code = government.code.replace(".", "")
    for key, role in ROLES.items():
        kecamatan = office.kecamatan if key == "camat" else None
        result.users[key] = make_role_user(role, government, kecamatan, username=f"{key}.{code}")
    return result


@pytest.fixture
def deployment(kendari, make_role_user, evidence_storage, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_konawe", stdout=io.StringIO())
    konawe = LocalGovernment.objects.get(code="74.02")
    tumpas = Office.objects.create(
        code="74.02.02.1001", name="Tumpas", kecamatan=Kecamatan.objects.get(code="74.02.02")
    )
    return {
        "kendari": build(kendari, Office.objects.get(code="74.71.01.1005"), make_role_user),
        "konawe": build(konawe, tumpas, make_role_user),
    }


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


PAIRS = [("kendari", "konawe"), ("konawe", "kendari")]
CASES = [(me, other, role) for me, other in PAIRS for role in ROLES]


def ids_listed(client: Client, endpoint: str) -> set[int | str]:
    response = client.get(f"/api/v1/{endpoint}/?page_size=1000")
    if response.status_code != 200:
        return set()
    body = response.json()
    key = "tracking_code" if endpoint == "complaints" else "id"
    return {row[key] for row in (body["results"] if isinstance(body, dict) else body)}


@pytest.mark.parametrize(("me", "other", "role"), CASES)
def test_no_role_reaches_the_other_governments_rows(deployment, me, other, role):
    mine, theirs = deployment[me], deployment[other]
    client = client_of(mine.users[role])
    for endpoint, row_id in theirs.rows.items():
        url = f"/api/v1/{endpoint}/{row_id}/"
        assert row_id not in ids_listed(client, endpoint), (role, endpoint)
        assert client.get(url).status_code in REFUSED, (role, endpoint)
        patch = client.patch(url, {"name": "x"}, content_type="application/json")
        assert patch.status_code in REFUSED, (role, endpoint, patch.status_code)
        assert client.delete(url).status_code in REFUSED, (role, endpoint)
    if role == "diskominfo":
        # The same requests reach one's own rows: the refusals above are about whose rows.
        for endpoint, row_id in mine.rows.items():
            own = client.get(f"/api/v1/{endpoint}/{row_id}/")
            assert own.status_code == 200, (endpoint, own.status_code)
            assert row_id in ids_listed(client, endpoint), endpoint
        assert client.get(f"/bukti/{mine.observation.pk}.jpg").status_code == 200
    # The rows are still there, unchanged.
    assert Office.objects.get(pk=theirs.office.pk).name == theirs.office.name
    for model, row_id in [
        (Excuse, theirs.rows["excuses"]),
        (Holiday, theirs.rows["holidays"]),
        (OpeningHours, theirs.rows["opening-hours"]),
        (Incident, theirs.rows["incidents"]),
        (Camera, theirs.camera.pk),
    ]:
        assert model.objects.filter(pk=row_id).exists(), model
    # Pictures: evidence, wall stills, complaint photos, the office page.
    for path in [
        f"/bukti/{theirs.observation.pk}.jpg",
        f"/pusat-komando/kamera/{theirs.camera.pk}/",
        f"/pusat-komando/kamera/{theirs.camera.pk}/gambar/{theirs.still.pk}.jpg",
        f"/pengaduan/staf/{theirs.complaint.tracking_code}/",
        f"/pengaduan/staf/{theirs.complaint.tracking_code}/foto.jpg",
        f"/kantor/{theirs.office.code}/",
    ]:
        assert client.get(path).status_code in REFUSED, (role, path)


@pytest.mark.parametrize(("me", "other", "role"), CASES)
def test_no_role_points_its_rows_at_the_other_government(deployment, me, other, role):
    mine, theirs = deployment[me], deployment[other]
    client = client_of(mine.users[role])
    before = {
        model: model.objects.count()
        for model in (Excuse, Holiday, OpeningHours, Camera, Incident, Office)
    }
    attempts = {
        "excuses": {
            "office": theirs.office.pk,
            "date_from": "2026-11-25",
            "date_to": "2026-11-25",
            "reason": "x",
        },
        "holidays": {
            "date": "2026-12-10",
            "name": "x",
            "kind": "local",
            "local_government": theirs.government.pk,
        },
        "opening-hours": {
            "office": theirs.office.pk,
            "weekday": 6,
            "opens_at": "08:00",
            "closes_at": "12:00",
        },
        "cameras": {
            "kind": "office",
            "office": theirs.office.pk,
            "name": "x",
            "source_url": "http://127.0.0.1:9/a.jpg",
        },
        "offices": {"code": "99.99.99.9999", "name": "x", "kecamatan": theirs.office.kecamatan_id},
        "incidents": {
            "kind": "flood",
            "title": "x",
            "place": "x",
            "camera": theirs.camera.pk,
            "starts_at": "2026-11-24T08:00:00+08:00",
            "expires_at": "2026-11-24T12:00:00+08:00",
        },
    }
    for endpoint, body in attempts.items():
        response = client.post(f"/api/v1/{endpoint}/", body, content_type="application/json")
        assert response.status_code in {400, 403}, (role, endpoint, response.status_code)
    # A national holiday (every government's calendar) and a camera reading worker files.
    national = client.post(
        "/api/v1/holidays/",
        {"date": "2026-12-11", "name": "x", "kind": "national"},
        content_type="application/json",
    )
    assert national.status_code == 403, role
    evidence_file = Evidence.objects.get(observation=theirs.observation).image.path
    camera = client.post(
        "/api/v1/cameras/",
        {
            "kind": "public_area",
            "name": "Alun-alun",
            "is_public": True,
            "source_url": f"file://{evidence_file}",
        },
        content_type="application/json",
    )
    assert camera.status_code in {400, 403}, role
    after = {model: model.objects.count() for model in before}
    assert after == before
