"""Upkeep of the observations table's monthly partitions (PostgreSQL; nothing elsewhere).

Migration cameras 0014 partitions `cameras_observation` by office day, a month each, with a
DEFAULT partition that takes any row no month covers yet. This creates the coming months
ahead of time; a month whose rows already went to the default partition (a box's clock far
ahead, a long outage of the upkeep) is created with those rows moved into it.
"""

import logging
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from cameras.domain.partitions import Month, months_ahead
from cameras.models import Observation

logger = logging.getLogger(__name__)

_TABLE = Observation._meta.db_table
DEFAULT_PARTITION = f"{_TABLE}_default"
# The upkeep waits this long for its locks, then gives up until its next run (the months are
# created weeks ahead): it never queues the tick's inserts behind a long report query.
_LOCK_TIMEOUT = "5s"


def partition_name(month: Month) -> str:
    return f"{_TABLE}_{month.suffix}"


def observations_partitioned() -> bool:
    """True when the observations table is partitioned (PostgreSQL after cameras 0014)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [_TABLE]
        )
        return cursor.fetchone() is not None


def existing_partitions() -> list[str]:
    """The names of the table's partitions (the default one included), sorted."""
    if not observations_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass",
            [_TABLE],
        )
        return sorted(row[0] for row in cursor.fetchall())


def ensure_observation_partitions(today: date, ahead: int | None = None) -> list[str]:
    """Create the partitions of `today`'s month and the `ahead` months after it
    (OBSERVATION_PARTITION_MONTHS_AHEAD by default) that do not exist yet; return the names
    created. Idempotent: a second run creates nothing. A no-op where the table is not
    partitioned (SQLite). Each month is created in its own short transaction."""
    if not observations_partitioned():
        return []
    months = months_ahead(
        today, settings.OBSERVATION_PARTITION_MONTHS_AHEAD if ahead is None else ahead
    )
    existing = set(existing_partitions())
    created = [
        partition_name(month)
        for month in months
        if partition_name(month) not in existing and _create_month(month)
    ]
    if created:
        logger.info("observations: partitions created: %s", ", ".join(created))
    return created


def _create_month(month: Month) -> bool:
    name = partition_name(month)
    bounds = [month.first, month.end]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
        # The parent first, then the default partition: the order an insert takes them in.
        cursor.execute(f"LOCK TABLE {_TABLE} IN SHARE ROW EXCLUSIVE MODE")
        if _exists(cursor, name):  # another upkeep run created it meanwhile
            return False
        cursor.execute(f"LOCK TABLE {DEFAULT_PARTITION} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(
            f"SELECT count(*) FROM {DEFAULT_PARTITION} WHERE office_date >= %s AND office_date < %s",  # noqa: S608, E501 (names from the model)
            bounds,
        )
        stray = cursor.fetchone()[0]
        if not stray:
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {_TABLE} FOR VALUES FROM (%s) TO (%s)", bounds
            )
            return True
        # The month's rows are in the default partition: move them into a table of their own,
        # then attach it (the default may not hold rows of an attached month).
        cursor.execute(
            f"CREATE TABLE {name} (LIKE {_TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        cursor.execute(
            f"""
            WITH moved AS (
                DELETE FROM {DEFAULT_PARTITION}
                WHERE office_date >= %s AND office_date < %s RETURNING *
            )
            INSERT INTO {name} SELECT * FROM moved
            """,  # noqa: S608 (names from the model)
            bounds,
        )
        cursor.execute(
            f"ALTER TABLE {_TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", bounds
        )
        logger.warning(
            "observations: %d row(s) moved from the default partition into %s", stray, name
        )
        return True


def _exists(cursor: CursorWrapper, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return bool(cursor.fetchone()[0])
