"""Dashboard fixtures: a realistic Kendari morning built as verdict and observation rows."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cameras.models import Camera, Evidence, Observation
from compliance.models import DailyVerdict
from places.models import Excuse, Office

WITA = ZoneInfo("Asia/Makassar")
DEMO_FRAME = (
    Path(__file__).resolve().parents[2] / "kelurahan_monitor/demo_frames/one_by_one_room/0020.jpg"
)


def wita(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WITA)


def _status_for(index: int, day_offset: int) -> str:
    """A repeatable mix that looks like a real city: mostly on time, some late, a few missing."""
    roll = (index * 7 + day_offset * 13 + index * day_offset) % 20
    if roll < 12:
        return "on_time"
    if roll < 16:
        return "late"
    if roll < 18:
        return "not_opened"
    return "no_data"


def _verdict(office: Office, day: date, status: str, index: int, final: bool) -> DailyVerdict:
    scheduled = wita(day, 7, 30)
    opened_at = minutes_late = None
    if status == "on_time":
        opened_at, minutes_late = scheduled - timedelta(minutes=(index * 3) % 20), 0
    elif status == "late":
        minutes_late = 16 + (index * 11) % 75
        opened_at = scheduled + timedelta(minutes=minutes_late)
    return DailyVerdict(
        office=office,
        date=day,
        status=status,
        is_final=final,
        scheduled_open=scheduled,
        opened_at=opened_at,
        minutes_late=minutes_late,
        coverage=0.0 if status == "no_data" else 0.9,
        first_arrival=opened_at,
    )


def evidence_jpeg() -> bytes:
    """A downscaled, blurred JPEG like the ones the vision pipeline stores."""
    from PIL import Image, ImageFilter

    with Image.open(DEMO_FRAME) as image:
        small = image.convert("RGB").resize((320, 240)).filter(ImageFilter.GaussianBlur(1.5))
        buffer = io.BytesIO()
        small.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


@dataclass
class DashboardData:
    today: date
    offices: list[Office]
    featured: Office  # has a full timeline with evidence today
    late_office: Office
    down_camera: Camera
    evidence_observation: Observation


def build_dashboard_data(history_days: int = 90) -> DashboardData:
    """Today (provisional) and `history_days` past days of verdicts for every seeded office,
    one camera per office, a full morning of checks with evidence for one office, and three
    cameras that are down."""
    today = timezone.localdate()
    offices = list(Office.objects.filter(active=True).order_by("code"))
    rows = []
    for index, office in enumerate(offices):
        for offset in range(history_days + 1):
            day = today - timedelta(days=offset)
            if day.weekday() >= 5:
                rows.append(
                    DailyVerdict(office=office, date=day, status="non_working_day", is_final=True)
                )
                continue
            status = _status_for(index, offset)
            if offset == 0 and index % 23 == 5:
                status = "excused"
            rows.append(_verdict(office, day, status, index, final=offset > 0))
    DailyVerdict.objects.bulk_create(rows, batch_size=2000)
    # Today is always a working-looking day in these fixtures, whatever the real calendar says.
    DailyVerdict.objects.filter(date=today, status="non_working_day").delete()
    DailyVerdict.objects.bulk_create(
        [
            _verdict(office, today, _status_for(index, 0), index, final=False)
            for index, office in enumerate(offices)
            if not DailyVerdict.objects.filter(office=office, date=today).exists()
        ]
    )
    # Leave two offices without a verdict yet (their deadline has not passed).
    DailyVerdict.objects.filter(date=today, office__in=offices[-2:]).delete()

    cameras = Camera.objects.bulk_create(
        [
            Camera.for_office(office, name="Ruang pelayanan", source_url="http://127.0.0.1:9/s.jpg")
            for office in offices
        ]
    )
    featured, featured_camera = offices[4], cameras[4]
    observations = []
    people_by_minute = {}
    for step in range(30):
        slot = wita(today, 7, 0) + timedelta(minutes=5 * step)
        people = 0 if step < 7 else 1 + (step % 3)
        people_by_minute[slot] = people
        observations.append(
            Observation(
                camera=featured_camera,
                slot=slot,
                office_date=today,
                kind="opening" if step < 16 else "daytime",
                status="ok" if step != 3 else "timeout",
                people_in_zone=people if step != 3 else None,
                people_count=people if step != 3 else None,
            )
        )
    # Three cameras down: one since yesterday, two since this morning; plus a pending check.
    down = [cameras[10], cameras[20], cameras[30]]
    observations.append(
        Observation(
            camera=down[0],
            slot=wita(today - timedelta(days=1), 9, 0),
            office_date=today - timedelta(days=1),
            status="ok",
            people_in_zone=2,
        )
    )
    for camera, start in ((down[0], wita(today - timedelta(days=1), 10, 0)),):
        observations.append(
            Observation(camera=camera, slot=start, office_date=start.date(), status="unreachable")
        )
    for camera in down[1:]:
        observations.append(
            Observation(
                camera=camera,
                slot=wita(today, 6, 55),
                office_date=today,
                status="ok",
            )
        )
        for minute in (7, 12, 17):
            slot = wita(today, 7, minute)
            observations.append(
                Observation(camera=camera, slot=slot, office_date=today, status="dark")
            )
    for camera in down:
        observations.append(
            Observation(camera=camera, slot=wita(today, 7, 25), office_date=today, status="pending")
        )
    Observation.objects.bulk_create(observations)

    first_open = Observation.objects.get(camera=featured_camera, slot=wita(today, 7, 35))
    at_grace = Observation.objects.get(camera=featured_camera, slot=wita(today, 7, 45))
    for observation in (first_open, at_grace):
        Evidence.objects.create(
            observation=observation,
            image=ContentFile(evidence_jpeg(), name=f"obs-{observation.pk}.jpg"),
            width=320,
            height=240,
        )
    DailyVerdict.objects.update_or_create(
        office=featured,
        date=today,
        defaults={
            "status": "on_time",
            "is_final": False,
            "scheduled_open": wita(today, 7, 30),
            "opened_at": wita(today, 7, 35),
            "minutes_late": 0,
            "coverage": 0.95,
            "first_arrival": wita(today, 7, 35),
            "evidence_observation_ids": [first_open.pk, at_grace.pk],
        },
    )
    Excuse.objects.create(
        office=featured,
        date_from=today - timedelta(days=20),
        date_to=today - timedelta(days=18),
        reason="Renovasi ruang pelayanan",
    )
    late_office = (
        DailyVerdict.objects.filter(date=today, status="late")
        .select_related("office")
        .order_by("-minutes_late")
        .first()
        .office
    )
    return DashboardData(
        today=today,
        offices=offices,
        featured=featured,
        late_office=late_office,
        down_camera=down[1],
        evidence_observation=first_open,
    )


@pytest.fixture
def dashboard_data(kendari, evidence_storage) -> DashboardData:
    return build_dashboard_data(history_days=35)


@pytest.fixture
def staff_user(kendari, make_role_user):
    """Diskominfo of Kota Kendari: sees every office, may correct verdicts and export."""
    return make_role_user("Diskominfo", kendari, username="diskominfo")


@pytest.fixture
def plain_user(make_role_user):
    """Logged in, but without a staff role (a citizen)."""
    return make_role_user(None, username="warga")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
