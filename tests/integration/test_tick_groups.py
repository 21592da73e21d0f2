"""The set-based tick on real PostgreSQL: two ticks at once claim each slot once, and a group of
checks sent as one message survives its worker being killed (real worker, real broker)."""

import os
import re
import signal
import threading
from datetime import date, datetime, time, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cameras.models import Camera, Observation, ObservationStatus
from cameras.services import claim_lease
from cameras.tasks import run_camera_checks
from compliance import claiming, domain, services
from devtools.management.commands.bench_tick import Command as BenchTick
from places.models import Office
from tests.camservers.snapshot_camera import FlakyCamera
from tests.factories import CameraFactory
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def tick_at_once(now: datetime, start: threading.Barrier, claimed: list[list[int]]) -> None:
    """One tick in this thread, on this thread's own database connection."""
    try:
        start.wait(10)
        result = services.plan_due_checks(now)
        claimed.append([pk for pk, _ in result.dispatched])
    finally:
        connections.close_all()


def race(now: datetime) -> tuple[list[int], list[int]]:
    start = threading.Barrier(2)
    claimed: list[list[int]] = []
    ticks = [threading.Thread(target=tick_at_once, args=(now, start, claimed)) for _ in range(2)]
    for thread in ticks:
        thread.start()
    for thread in ticks:
        thread.join(120)
    first, second = claimed
    return first, second


def test_two_ticks_at_once_claim_each_slot_once():
    assert connection.vendor == "postgresql"
    zone = BenchTick()._create_offices(3000)
    for day in (date(2026, 11, 10), date(2026, 11, 11)):
        now = datetime.combine(day, time(7, 30), tzinfo=zone)
        # New slots (both ticks insert them), then the same slots released undispatched (the
        # broker refused them) and raced for again.
        for _ in ("new", "released"):
            first, second = race(now)
            rows = Observation.objects.filter(slot=now)
            assert rows.count() == 3000
            assert not set(first) & set(second)
            assert sorted(first + second) == sorted(rows.values_list("pk", flat=True))
            assert set(rows.values_list("dispatch_count", flat=True)) == {1}
            services.release_dispatch(first + second, now)


def test_a_group_whose_worker_was_killed_is_redone_once(start_worker, kendari, shared_dir):
    jpeg = (shared_dir / "frames" / "obo_back_f0242.jpg").read_bytes()
    camera = FlakyCamera(jpeg, hang_first=True)  # the group's first check hangs
    try:
        worker = start_worker(concurrency=1, queues="vision")
        slot = timezone.now().replace(microsecond=0)
        observations = []
        for office in Office.objects.order_by("code")[:3]:
            CameraFactory(
                office=office,
                source_url=camera.url,
                burst_frames=1,
                burst_interval_seconds=0,
                timeout_seconds=20,
            )
            observations.append(
                Observation.objects.create(
                    camera=Camera.objects.get(office=office),
                    slot=slot,
                    office_date=timezone.localdate(slot),
                    kind="opening",
                    expires_at=slot + timedelta(minutes=10),
                    dispatched_at=slot,
                    dispatch_count=1,
                )
            )
        ids = [observation.pk for observation in observations]
        run_camera_checks.apply_async(args=[ids])
        assert camera.first_request_seen.wait(60), "the worker never reached the camera"
        pid = worker.process.pid
        for child in map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split()):
            os.kill(child, signal.SIGKILL)

        def done() -> bool:
            statuses = Observation.objects.filter(pk__in=ids).values_list("status", flat=True)
            return set(statuses) == {ObservationStatus.OK}

        wait_for(done, 90, "the redelivered group never finished: " + worker.log()[-2000:])
        rows = Observation.objects.filter(pk__in=ids)
        # Each check recorded once, by the redelivered message; none needed the tick's reclaim.
        assert set(rows.values_list("attempts", "dispatch_count")) == {(1, 1)}
        assert camera.requests == 4  # the hung request, then the three checks
    finally:
        camera.stop()


def test_lost_checks_are_reclaimed_in_one_statement_however_many(kendari):
    slot = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    offices = list(Office.objects.order_by("code")[:30])
    rows = []
    for office in offices:
        camera = CameraFactory(office=office)
        rows.append(
            Observation.objects.create(
                camera=camera,
                slot=slot,
                office_date=timezone.localdate(slot),
                kind="opening",
                expires_at=slot + timedelta(minutes=30),
                dispatched_at=slot,  # its message never arrived
                dispatch_count=1,
            )
        )
    Observation.objects.filter(pk=rows[0].pk).update(
        status=ObservationStatus.RUNNING, claim_token="dead", claimed_at=slot
    )
    now = slot + claim_lease() + timedelta(seconds=1)
    with CaptureQueriesContext(connection) as queries:
        again = services.reclaim_lost_checks(now)
    assert sorted(pk for pk, _ in again) == sorted(row.pk for row in rows)
    assert len(queries) == 2  # the reclaim and the settling of the exhausted ones
    assert services.reclaim_lost_checks(now) == []  # a second tick at once takes none
    assert set(Observation.objects.values_list("status", "dispatch_count", "claim_token")) == {
        ("pending", 2, "")
    }


def test_bench_tick_claims_every_office_in_the_same_number_of_queries():
    """The fixed query count is PostgreSQL's (SQLite's bulk insert goes ~40 rows a statement)."""
    out = StringIO()
    call_command("bench_tick", "--offices", "5", "300", "--repeat", "2", stdout=out)
    lines = out.getvalue().splitlines()
    pattern = r"offices=(\d+) tick_seconds_median=[\d.]+ checks_dispatched=(\d+) queries=(\d+)"
    parsed = [re.fullmatch(pattern, line) for line in lines]
    assert all(parsed), lines
    assert [(m[1], m[2]) for m in parsed if m] == [("5", "5"), ("300", "300")]
    assert len({m[3] for m in parsed if m}) == 1


def test_postgresql_computes_the_same_phase_as_the_domain():
    assert connection.vendor == "postgresql"
    ids = [1, 2, 3, 65, 4096, 99_991, 2**31 - 1, 2**31 + 7, 2**40 + 3, 2**62 + 11]
    minutes = [1, 5, 10, 15, 60]
    expression = claiming.phase_sql("o.id", "m.iv")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o.id, m.iv, {expression} FROM unnest(%s::bigint[]) AS o(id),"  # noqa: S608
            " unnest(%s::int[]) AS m(iv)",
            [ids, minutes],
        )
        rows = cursor.fetchall()
    assert len(rows) == len(ids) * len(minutes)
    for office_id, interval, seconds in rows:
        assert timedelta(seconds=seconds) == domain.office_phase(
            office_id, timedelta(minutes=interval)
        )
