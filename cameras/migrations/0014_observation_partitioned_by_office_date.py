"""Observations partitioned by office day on PostgreSQL (a range partition a month).

On PostgreSQL `cameras_observation` becomes a table PARTITIONED BY RANGE (office_date): one
partition per month from the month of the oldest row to three months past today, and a
DEFAULT partition so that an insert for a day no partition covers yet never fails (the upkeep,
`cameras.partitioning`, moves such rows into their month when it creates it; rows already
dated beyond the last month go there too). A unique key of a partitioned table must contain
the partition column, so the primary key becomes (id, office_date) and the natural key
(camera, slot, office_date): the same key, the office day being a function of the slot. The
id sequence goes on from where it was.

For the same reason no foreign key can point at an observation's id alone any more: the three
that did (evidence, security events, agent records) lose their database constraint first
(compliance 0011, agents 0002 and the AlterField below); the ORM still cascades their deletes.

The rows are copied under an exclusive lock (about a minute per 4 M rows on a small machine):
plan the migration for a quiet hour on a big table. Reversible: the way back copies the rows
into one plain table with the former keys.

On SQLite only the natural key changes.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

TABLE = "cameras_observation"
DEFAULT_PARTITION = f"{TABLE}_default"
MONTHS_AHEAD = 3


def _month_start(day):
    return day.replace(day=1)


def _next_month(first):
    return first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)


def _monthly_ranges(first_day, last_day):
    month = _month_start(first_day)
    while month <= last_day:
        following = _next_month(month)
        yield month, following
        month = following


def _keys_and_indexes(cursor, table):
    """Everything to recreate on the new table, as SQL: the primary key, unique and foreign
    keys (CHECK and NOT NULL come with CREATE TABLE ... LIKE) and the other indexes."""
    cursor.execute(
        """
        SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype, conname
        """,
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                          AND c.conrelid = i.indrelid)
        ORDER BY i.indexrelid
        """,
        [table],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    return constraints, indexes


def _rebuild(cursor, partitioned):
    """Copy the table into a new one (partitioned by office day, or plain), then swap them."""
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(
        "SELECT conrelid::regclass::text FROM pg_constraint WHERE confrelid = %s::regclass",
        [TABLE],
    )
    referencing = [row[0] for row in cursor.fetchall()]
    if referencing:
        raise RuntimeError(f"foreign keys still point at {TABLE}: {referencing}")
    cursor.execute(
        "SELECT attidentity FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id'",
        [TABLE],
    )
    if cursor.fetchone()[0] != "d":
        raise RuntimeError(f"{TABLE}.id is not an identity column")
    constraints, indexes = _keys_and_indexes(cursor, TABLE)
    new = f"{TABLE}_new"
    partitioning = " PARTITION BY RANGE (office_date)" if partitioned else ""
    cursor.execute(
        f"CREATE TABLE {new} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY "
        f"INCLUDING CONSTRAINTS INCLUDING STORAGE){partitioning}"
    )
    if partitioned:
        cursor.execute(f"SELECT min(office_date) FROM {TABLE}")
        oldest = cursor.fetchone()[0]
        today = timezone.localdate()
        last = today
        for _ in range(MONTHS_AHEAD):
            last = _next_month(_month_start(last))
        first = min(oldest or today, today)
        # Rows dated past the last month (a clock far ahead) go to the default partition, not
        # into months created for them; the upkeep moves them when their month comes.
        for start, end in _monthly_ranges(first, last):
            cursor.execute(
                f"CREATE TABLE {TABLE}_{start:%Y_%m} PARTITION OF {new} "
                "FOR VALUES FROM (%s) TO (%s)",
                [start, end],
            )
        cursor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {new} DEFAULT")
    # In slot order within each month: the rows of one day lie together, as the tick writes them.
    cursor.execute(f"INSERT INTO {new} SELECT * FROM {TABLE} ORDER BY office_date, slot")
    cursor.execute(f"SELECT last_value, is_called FROM {TABLE}_id_seq")  # the identity's
    last_value, is_called = cursor.fetchone()
    cursor.execute(f"DROP TABLE {TABLE}")
    cursor.execute(f"ALTER TABLE {new} RENAME TO {TABLE}")
    cursor.execute(f"ALTER SEQUENCE {new}_id_seq RENAME TO {TABLE}_id_seq")
    cursor.execute(f"SELECT setval('{TABLE}_id_seq', %s, %s)", [last_value, is_called])
    for name, kind, definition in constraints:
        if kind == "p":
            definition = "PRIMARY KEY (id, office_date)" if partitioned else "PRIMARY KEY (id)"
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
    for definition in indexes:
        cursor.execute(definition)
    cursor.execute(f"ANALYZE {TABLE}")


def partition_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            _rebuild(cursor, partitioned=True)


def unpartition_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            _rebuild(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cameras", "0013_observation_partial_tick_indexes"),
        ("compliance", "0011_securityevent_observation_no_db_constraint"),
        ("agents", "0002_agentrecord_observation_no_db_constraint"),
    ]

    operations = [
        migrations.AlterField(
            model_name="evidence",
            name="observation",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="evidence",
                to="cameras.observation",
                verbose_name="observasi",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="observation",
            name="observation_unique_slot",
        ),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.UniqueConstraint(
                fields=("camera", "slot", "office_date"), name="observation_unique_slot"
            ),
        ),
        migrations.RunPython(partition_on_postgresql, unpartition_on_postgresql),
    ]
