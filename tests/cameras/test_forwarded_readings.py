"""Forwarded readings (an office agent's records) written into their slots by (camera, slot):
on PostgreSQL one upsert for the batch, elsewhere the portable path; the same answers on both."""

from datetime import UTC, date, datetime, timedelta

import cv2
import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cameras import services
from cameras.models import Evidence, Observation, ObservationStatus
from cameras.services import CheckReading, ForwardedReading, record_forwarded_readings
from tests.factories import CameraFactory, ObservationFactory

DAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def slot(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, 23, 0, tzinfo=UTC) + timedelta(hours=hour, minutes=minute)


def forwarded(camera_id: int, at: datetime, people: int, jpeg: bytes | None = None):
    return ForwardedReading(
        camera_id=camera_id,
        slot=at,
        office_date=DAY,
        kind="opening",
        taken_at=at + timedelta(seconds=15),
        reading=CheckReading(
            status="ok",
            people_total=people,
            people_in_zone=people,
            detector=("mediapipe", "0.10.21"),
            signature="ab12",
            health={"brightness": 0.4},
            evidence_jpeg=jpeg,
            people_signals={"pose": people},
        ),
        duration_ms=1500,
    )


def small_jpeg() -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((48, 64, 3), 120, np.uint8))
    assert ok
    return data.tobytes()


@pytest.mark.django_db
def test_new_slots_are_created_and_settled_slots_without_data_take_the_reading():
    camera = CameraFactory()
    pending = ObservationFactory(camera=camera, slot=slot(8), office_date=DAY, kind="opening")
    failed = ObservationFactory(
        camera=camera,
        slot=slot(8, 10),
        office_date=DAY,
        kind="opening",
        status=ObservationStatus.UNREACHABLE,
        attempts=2,
    )
    readings = [forwarded(camera.pk, slot(8), 2), forwarded(camera.pk, slot(8, 10), 3)]
    readings += [forwarded(camera.pk, slot(8, 20), 1, small_jpeg())]

    written = record_forwarded_readings(readings, NOW)

    assert written[(camera.pk, slot(8))] == pending.pk
    assert written[(camera.pk, slot(8, 10))] == failed.pk
    rows = {o.slot: o for o in Observation.objects.filter(camera=camera)}
    assert len(rows) == 3
    assert written[(camera.pk, slot(8, 20))] == rows[slot(8, 20)].pk
    assert [rows[slot(8, m)].people_in_zone for m in (0, 10, 20)] == [2, 3, 1]
    assert {o.status for o in rows.values()} == {ObservationStatus.OK}
    assert {o.recorded_at for o in rows.values()} == {NOW}
    assert rows[slot(8, 10)].attempts == 3
    assert rows[slot(8, 20)].attempts == 1
    assert rows[slot(8, 20)].captured_at == slot(8, 20) + timedelta(seconds=15)
    assert rows[slot(8, 20)].health == {"brightness": 0.4}
    assert rows[slot(8, 20)].people_signals == {"pose": 1}
    assert rows[slot(8, 20)].duration_ms == 1500
    assert Evidence.objects.get().observation_id == rows[slot(8, 20)].pk


@pytest.mark.django_db
def test_the_same_readings_again_change_nothing_and_still_name_their_observations():
    camera = CameraFactory()
    readings = [forwarded(camera.pk, slot(8), 2, small_jpeg())]
    readings += [forwarded(camera.pk, slot(8, m), 2) for m in (10, 20)]
    first = record_forwarded_readings(readings, NOW)
    later = NOW + timedelta(hours=3)
    # The resend carries other counts: a usable reading already in the slot stays.
    again = [forwarded(r.camera_id, r.slot, 9, small_jpeg()) for r in readings]

    second = record_forwarded_readings(again, later)

    assert second == first
    rows = list(Observation.objects.filter(camera=camera))
    assert {(o.people_in_zone, o.recorded_at, o.attempts) for o in rows} == {(2, NOW, 1)}
    assert Evidence.objects.count() == 1


@pytest.mark.django_db
def test_a_batch_costs_a_fixed_number_of_queries():
    camera = CameraFactory()
    readings = [forwarded(camera.pk, slot(7, 30) + timedelta(minutes=10 * n), 2) for n in range(42)]

    with CaptureQueriesContext(connection) as queries:
        record_forwarded_readings(readings, NOW)
    with CaptureQueriesContext(connection) as again:
        record_forwarded_readings(readings, NOW)

    assert Observation.objects.filter(camera=camera).count() == 42
    if connection.vendor == "postgresql":
        # One upsert; when every slot kept its reading, one more query looks their ids up.
        assert (len(queries), len(again)) == (1, 2)
    else:
        # The portable path: a lookup, then the inserts (SQLite's statements of its parameter
        # limit); the resend is the lookup alone (no slot is updated).
        assert len(again) == 1


def test_the_upsert_names_every_required_column():
    required = {
        field.column
        for field in Observation._meta.concrete_fields
        if not field.null and not field.primary_key
    }
    assert required <= services.UPSERTED_COLUMNS
