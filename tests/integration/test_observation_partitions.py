"""Observations partitioned by office day on PostgreSQL (migration cameras 0014): the table's
shape, the DEFAULT partition that takes any day, the upkeep that creates the coming months,
and the natural key that still makes every write idempotent."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from cameras.models import Observation, ObservationStatus
from cameras.partitioning import (
    DEFAULT_PARTITION,
    ensure_observation_partitions,
    existing_partitions,
    observations_partitioned,
)
from cameras.services import CheckReading, ForwardedReading, record_forwarded_readings
from compliance import services
from places.models import Office
from tests.factories import CameraFactory, ObservationFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)
# Far beyond the months the migration created (this month and three ahead).
FAR_DAY = date(2031, 5, 6)


def one_row(sql: str, params: list[object] | None = None) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()


def partition_of(observation_id: int) -> str:
    return one_row(
        "SELECT tableoid::regclass::text FROM cameras_observation WHERE id = %s", [observation_id]
    )[0]


def test_the_observations_table_is_partitioned_by_office_day_with_widened_keys():
    assert connection.vendor == "postgresql"
    assert observations_partitioned()
    strategy, key = one_row(
        "SELECT partstrat, pg_get_partkeydef(partrelid) FROM pg_partitioned_table "
        "WHERE partrelid = 'cameras_observation'::regclass"
    )
    assert (strategy, key) == ("r", "RANGE (office_date)")
    keys = dict(
        one_row(
            "SELECT array_agg(ARRAY[conname, pg_get_constraintdef(oid)]) FROM pg_constraint "
            "WHERE conrelid = 'cameras_observation'::regclass AND contype IN ('p', 'u')"
        )[0]
    )
    assert keys == {
        "cameras_observation_pkey": "PRIMARY KEY (id, office_date)",
        "observation_unique_slot": "UNIQUE (camera_id, slot, office_date)",
    }
    # The model's indexes (the partial tick indexes included) are the parent's.
    indexes = {
        row[0]
        for row in one_row(
            "SELECT array_agg(ARRAY[indexrelid::regclass::text]) FROM pg_index "
            "WHERE indrelid = 'cameras_observation'::regclass"
        )[0]
    }
    assert {index.name for index in Observation._meta.indexes} <= indexes
    assert one_row(
        "SELECT count(*) FROM pg_constraint WHERE confrelid = 'cameras_observation'::regclass"
    ) == (0,)
    month = f"cameras_observation_{timezone.localdate():%Y_%m}"
    assert {month, DEFAULT_PARTITION} <= set(existing_partitions())


def test_a_day_no_month_covers_goes_to_the_default_partition_and_keeps_its_key():
    camera = CameraFactory()
    at = datetime.combine(FAR_DAY, time(7, 30), WITA)
    far = ObservationFactory(camera=camera, slot=at, office_date=FAR_DAY)
    today = timezone.localdate()
    near = ObservationFactory(
        camera=camera, slot=datetime.combine(today, time(7, 30), WITA), office_date=today
    )

    assert partition_of(far.pk) == DEFAULT_PARTITION
    assert partition_of(near.pk) == f"cameras_observation_{today:%Y_%m}"
    assert near.pk == far.pk + 1  # one id sequence for every partition
    # The natural key holds in the default partition too.
    readings = [forwarded_at(camera.pk, at, FAR_DAY, people=2)]
    assert record_forwarded_readings(readings, at + timedelta(hours=1)) == {(camera.pk, at): far.pk}
    assert Observation.objects.filter(camera=camera, office_date=FAR_DAY).count() == 1


def test_the_upkeep_creates_the_coming_months_once_and_moves_their_stray_rows():
    camera = CameraFactory()
    at = datetime.combine(FAR_DAY, time(7, 30), WITA)
    stray = ObservationFactory(camera=camera, slot=at, office_date=FAR_DAY)
    today = date(2031, 4, 20)

    created = ensure_observation_partitions(today, ahead=2)

    assert created == [
        "cameras_observation_2031_04",
        "cameras_observation_2031_05",
        "cameras_observation_2031_06",
    ]
    assert ensure_observation_partitions(today, ahead=2) == []
    # The May row left the default partition for its month, with its id.
    assert partition_of(stray.pk) == "cameras_observation_2031_05"
    assert one_row(f"SELECT count(*) FROM {DEFAULT_PARTITION}") == (0,)  # noqa: S608
    # New rows of those months go straight to their partition, and the keys still hold there.
    later = ObservationFactory(
        camera=camera, slot=at + timedelta(days=31), office_date=FAR_DAY + timedelta(days=31)
    )
    assert partition_of(later.pk) == "cameras_observation_2031_06"
    again = [forwarded_at(camera.pk, at, FAR_DAY, people=1)]
    record_forwarded_readings(again, at + timedelta(hours=1))
    record_forwarded_readings(again, at + timedelta(hours=2))
    assert Observation.objects.filter(camera=camera, slot=at).count() == 1


def test_two_claims_of_one_slot_write_one_row(kendari):
    office = Office.objects.order_by("code").first()
    camera = CameraFactory(office=office)
    now = datetime.combine(TUESDAY, time(7, 30), WITA)

    first = services.plan_due_checks(now)
    second = services.plan_due_checks(now)

    rows = list(Observation.objects.filter(camera=camera).values_list("slot", "office_date"))
    assert rows == [(now, TUESDAY)]
    assert len(first.dispatched) == 1
    assert second.dispatched == []
    # The agent path writing the same slot fills that row rather than adding one.
    record_forwarded_readings(
        [forwarded_at(camera.pk, now, TUESDAY, people=1)], now + timedelta(minutes=2)
    )
    observation = Observation.objects.get(camera=camera)
    assert observation.status == ObservationStatus.OK
    assert observation.pk == first.dispatched[0][0]


def forwarded_at(camera_id: int, at: datetime, day: date, people: int) -> ForwardedReading:
    return ForwardedReading(
        camera_id=camera_id,
        slot=at,
        office_date=day,
        kind="opening",
        taken_at=at + timedelta(seconds=15),
        reading=CheckReading(
            status="ok",
            people_total=people,
            people_in_zone=people,
            detector=("mediapipe", "0.10.21"),
            signature="ab12",
            health={"brightness": 0.4},
            people_signals={"pose": people},
        ),
        duration_ms=1500,
    )
