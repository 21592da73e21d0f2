"""Migration cameras 0014 on PostgreSQL, both ways: the rows, their ids and the id sequence
survive; forwards the table is partitioned by office day, backwards one plain table again."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BEFORE = [
    ("cameras", "0013_observation_partial_tick_indexes"),
    ("compliance", "0010_alert_agent_silent"),
    ("agents", "0001_initial"),
]
AFTER = [("cameras", "0014_observation_partitioned_by_office_date")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def shape() -> tuple[bool, str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table "
            "WHERE partrelid = 'cameras_observation'::regclass), "
            "(SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            " WHERE conrelid = 'cameras_observation'::regclass AND contype = 'p'), "
            "(SELECT count(*) FROM pg_constraint "
            " WHERE confrelid = 'cameras_observation'::regclass)"
        )
        return cursor.fetchone()


def test_the_partitioning_keeps_rows_ids_and_sequence_both_ways():
    assert connection.vendor == "postgresql"
    apps = migrate(BEFORE)
    assert shape() == (False, "PRIMARY KEY (id)", 3)  # evidence, security event, agent record
    Camera = apps.get_model("cameras", "Camera")
    LocalGovernment = apps.get_model("places", "LocalGovernment")
    Observation = apps.get_model("cameras", "Observation")
    government = LocalGovernment.objects.create(code="98.98", name="M", kind="kota")
    camera = Camera.objects.create(
        name="c", kind="public_area", source_url="file:///dev/null", local_government=government
    )
    days = [date(2026, 10, 30), date(2026, 11, 24), date(2031, 5, 6)]
    before = [
        Observation.objects.create(
            camera=camera,
            slot=datetime(day.year, day.month, day.day, 0, 30, tzinfo=UTC),
            office_date=day,
        ).pk
        for day in days
    ]

    apps = migrate(AFTER)

    assert shape() == (True, "PRIMARY KEY (id, office_date)", 0)
    Observation = apps.get_model("cameras", "Observation")
    rows = list(Observation.objects.order_by("pk").values_list("pk", "office_date"))
    assert rows == list(zip(before, days, strict=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM cameras_observation ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == [
            "cameras_observation_2026_10",
            "cameras_observation_2026_11",
            "cameras_observation_default",  # 2031: past the months made (this one, three more)
        ]
    newer = Observation.objects.create(
        camera_id=camera.pk, slot=datetime(2026, 11, 25, tzinfo=UTC), office_date=days[1]
    )
    assert newer.pk == before[-1] + 1

    apps = migrate(BEFORE)

    assert shape() == (False, "PRIMARY KEY (id)", 3)
    Observation = apps.get_model("cameras", "Observation")
    assert list(Observation.objects.order_by("pk").values_list("pk", flat=True)) == [
        *before,
        newer.pk,
    ]
    assert (
        Observation.objects.create(
            camera_id=camera.pk, slot=datetime(2026, 11, 26, tzinfo=UTC), office_date=days[1]
        ).pk
        == newer.pk + 1
    )
