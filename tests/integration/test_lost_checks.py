"""Nothing lost: the tick reclaims a check whose worker died, and survives a broker that is down.

Real worker processes, PostgreSQL and Redis. The tick runs in this process with an explicit
clock (`tick_and_publish(now)`), so the check lease need not pass in real time.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cameras.models import Observation, ObservationStatus
from cameras.services import claim_lease
from cameras.tasks import run_camera_check
from compliance.tasks import tick_and_publish
from places.models import Office
from tests.camservers.snapshot_camera import FlakyCamera
from tests.factories import CameraFactory
from tests.integration.conftest import REPO, _database_url, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def jpeg(shared_dir) -> bytes:
    return (shared_dir / "frames" / "obo_back_f0242.jpg").read_bytes()


def pending_slot(url: str, minutes: int = 10) -> Observation:
    office = Office.objects.get(code="74.71.01.1005")
    # Out of the tick's plan (inactive), so that a tick at the real clock in office hours
    # plans no slot of its own for this camera: only the test's slot exists.
    Office.objects.filter(pk=office.pk).update(active=False)
    camera = CameraFactory(
        office=office, source_url=url, burst_frames=1, burst_interval_seconds=0, timeout_seconds=20
    )
    slot = timezone.now().replace(microsecond=0)
    return Observation.objects.create(
        camera=camera,
        slot=slot,
        office_date=timezone.localdate(slot),
        kind="opening",
        expires_at=slot + timedelta(minutes=minutes),
    )


def pool_children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def kill_worker(pid: int) -> None:
    """SIGKILL the main worker process and its pool children: the broker keeps the message
    unacknowledged (redelivered only after the visibility timeout) and the row stays running."""
    children = pool_children(pid)
    os.kill(pid, signal.SIGKILL)
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


def status_of(observation: Observation) -> str:
    return Observation.objects.values_list("status", flat=True).get(pk=observation.pk)


def test_a_check_whose_whole_worker_was_killed_is_reclaimed_by_the_tick(
    start_worker, kendari, jpeg
):
    camera = FlakyCamera(jpeg, hang_first=True)
    try:
        worker = start_worker(concurrency=1, queues="vision")
        observation = pending_slot(camera.url)
        Observation.objects.filter(pk=observation.pk).update(
            dispatched_at=timezone.now(), dispatch_count=1
        )
        run_camera_check.apply_async(args=[observation.pk])
        assert camera.first_request_seen.wait(60), "the worker never reached the camera"
        kill_worker(worker.process.pid)
        worker.process.wait(10)
        claimed_at = Observation.objects.get(pk=observation.pk).claimed_at
        assert status_of(observation) == ObservationStatus.RUNNING
        start_worker(concurrency=1, queues="vision")
        # Inside the lease nothing is reclaimed; after it, the tick dispatches the slot again.
        tick_and_publish(claimed_at + claim_lease() - timedelta(seconds=5))
        assert status_of(observation) == ObservationStatus.RUNNING
        started = time.monotonic()
        tick_and_publish(claimed_at + claim_lease() + timedelta(seconds=1))
        wait_for(
            lambda: status_of(observation) == ObservationStatus.OK,
            90,
            "the reclaimed check never ran",
        )
        recovery = time.monotonic() - started
        observation.refresh_from_db()
        assert observation.people_in_zone == 1
        assert (observation.attempts, observation.dispatch_count) == (1, 2)
        assert Observation.objects.filter(camera=observation.camera).count() == 1
        # Dispatch, queue and a one-frame check: seconds, not the broker's visibility timeout.
        assert recovery < 60
    finally:
        camera.stop()


def test_a_tick_whose_broker_refuses_connections_loses_nothing(start_worker, kendari, jpeg):
    camera = FlakyCamera(jpeg, hang_first=False)
    try:
        observation = pending_slot(camera.url)
        # The tick in another process whose broker refuses connections.
        environ = dict(
            os.environ,
            DATABASE_URL=_database_url(),
            CELERY_BROKER_URL="redis://127.0.0.1:9/0",
            DJANGO_SETTINGS_MODULE="kelurahan_monitor.settings",
        )
        started = time.monotonic()
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from compliance.tasks import plan_due_checks; "
                "print('published', plan_due_checks())",
            ],
            cwd=REPO,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert "published 0" in result.stdout
        assert time.monotonic() - started < 60
        observation.refresh_from_db()
        # Released, not lost: undispatched and pending, for the next tick.
        assert (observation.status, observation.dispatched_at) == ("pending", None)
        start_worker(concurrency=1, queues="vision")
        assert tick_and_publish(timezone.now()) >= 1
        wait_for(
            lambda: status_of(observation) == ObservationStatus.OK,
            90,
            "the check released by the failed tick never ran",
        )
        assert Observation.objects.get(pk=observation.pk).dispatch_count == 1
    finally:
        camera.stop()


def test_a_slot_that_no_check_reached_in_its_window_ends_expired(kendari):
    observation = pending_slot("http://127.0.0.1:9/never.jpg", minutes=5)
    now = timezone.now()
    tick_and_publish(now)  # the broker takes the message, but no worker listens
    assert status_of(observation) == ObservationStatus.PENDING
    tick_and_publish(observation.expires_at)
    observation.refresh_from_db()
    assert observation.status == ObservationStatus.EXPIRED
    assert observation.recorded_at == observation.expires_at
