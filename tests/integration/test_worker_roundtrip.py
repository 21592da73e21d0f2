"""Tasks go through the real broker to a real worker process and land in PostgreSQL."""

import pytest

from compliance.tasks import sync_national_holidays
from places.models import Holiday
from places.seeding import indonesian_holidays
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_worker_runs_a_task_and_writes_to_the_database(start_worker):
    start_worker()
    Holiday.objects.all().delete()
    sync_national_holidays.delay([2026])
    wait_for(lambda: Holiday.objects.count() == 25, 60, "the worker did not load the holidays")
    assert Holiday.objects.filter(kind=Holiday.Kind.CUTI_BERSAMA).count() == 8


def test_a_task_delivered_twice_writes_one_row_per_key(start_worker):
    worker = start_worker(concurrency=2)
    Holiday.objects.filter(date__year=2027).delete()
    # Same message id twice, as a broker redelivery or a double publish would produce.
    for _ in range(2):
        sync_national_holidays.apply_async(args=[[2027]], task_id="holidays-2027-once")
    wait_for(lambda: worker.log().count("succeeded") >= 2, 60, "both deliveries did not run")
    expected_days = {day for day, _name, _kind in indonesian_holidays(2027)}
    assert set(Holiday.objects.values_list("date", flat=True)) == expected_days


AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"


def test_rabbitmq_works_as_the_broker_too(start_worker):
    """Production may run RabbitMQ instead of Redis: the same task round-trips over AMQP."""
    start_worker(CELERY_BROKER_URL=AMQP_URL)
    Holiday.objects.filter(date__year=2028).delete()
    with sync_national_holidays.app.connection_for_write(AMQP_URL) as connection:
        sync_national_holidays.apply_async(args=[[2028]], connection=connection)
    wait_for(
        lambda: Holiday.objects.filter(date__year=2028).exists(), 60, "no round trip over AMQP"
    )
    expected_days = {day for day, _name, _kind in indonesian_holidays(2028)}
    assert set(Holiday.objects.filter(date__year=2028).values_list("date", flat=True)) == (
        expected_days
    )
