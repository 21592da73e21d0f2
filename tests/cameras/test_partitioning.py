"""The partition upkeep where the observations table is one plain table (SQLite): nothing."""

from datetime import date

import pytest
from django.db import connection

from cameras.partitioning import ensure_observation_partitions, existing_partitions


@pytest.mark.django_db
def test_the_upkeep_is_idempotent_and_a_no_op_on_a_plain_table():
    created = ensure_observation_partitions(date(2031, 4, 20), ahead=1)
    assert ensure_observation_partitions(date(2031, 4, 20), ahead=1) == []
    if connection.vendor == "postgresql":
        assert set(created) == {"cameras_observation_2031_04", "cameras_observation_2031_05"}
        assert set(created) <= set(existing_partitions())
    else:
        assert created == []
        assert existing_partitions() == []
