"""Check tasks through the real broker to real worker processes: duplicates and crashes."""

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cameras.models import Evidence, Observation, ObservationStatus
from cameras.tasks import run_camera_check
from places.models import Office
from tests.camservers.snapshot_camera import FlakyCamera
from tests.factories import CameraFactory
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def pending_observation(kendari, url: str) -> Observation:
    office = Office.objects.get(code="74.71.01.1005")
    camera = CameraFactory(
        office=office, source_url=url, burst_frames=1, burst_interval_seconds=0, timeout_seconds=20
    )
    slot = timezone.now().replace(microsecond=0)
    return Observation.objects.create(
        camera=camera,
        slot=slot,
        office_date=timezone.localdate(slot),
        kind="opening",
        expires_at=slot + timedelta(minutes=5),
    )


def pool_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


@pytest.fixture
def jpeg(shared_dir) -> bytes:
    return (shared_dir / "frames" / "obo_back_f0242.jpg").read_bytes()


def test_a_check_delivered_twice_writes_one_observation(start_worker, kendari, jpeg):
    camera = FlakyCamera(jpeg, hang_first=False)
    try:
        start_worker(concurrency=2, queues="vision")
        observation = pending_observation(kendari, camera.url)
        # The same message twice (broker redelivery) and a second dispatch of the same slot.
        run_camera_check.apply_async(args=[observation.pk], task_id="check-twice")
        run_camera_check.apply_async(args=[observation.pk], task_id="check-twice")
        run_camera_check.apply_async(args=[observation.pk])
        wait_for(
            lambda: Observation.objects.get(pk=observation.pk).status == ObservationStatus.OK,
            90,
            "the check never completed",
        )
        time.sleep(2)  # let any straggling duplicate finish
        assert Observation.objects.filter(camera=observation.camera).count() == 1
        assert Evidence.objects.filter(observation=observation).count() == 1
        assert Observation.objects.get(pk=observation.pk).people_in_zone == 1
    finally:
        camera.stop()


def test_a_worker_killed_mid_check_has_its_check_redone(start_worker, kendari, jpeg):
    camera = FlakyCamera(jpeg, hang_first=True)
    try:
        worker = start_worker(concurrency=1, queues="vision")
        observation = pending_observation(kendari, camera.url)
        run_camera_check.apply_async(args=[observation.pk])
        assert camera.first_request_seen.wait(60), "the worker never reached the camera"
        assert Observation.objects.get(pk=observation.pk).status == ObservationStatus.RUNNING
        for child in pool_children(worker.process.pid):
            os.kill(child, signal.SIGKILL)
        wait_for(
            lambda: Observation.objects.get(pk=observation.pk).status == ObservationStatus.OK,
            120,
            "the killed check was not redone:\n" + worker.log()[-3000:],
        )
        observation.refresh_from_db()
        assert camera.requests >= 2
        assert observation.people_in_zone == 1
        assert Observation.objects.filter(camera=observation.camera).count() == 1
        assert "WorkerLostError" in worker.log() or "signal 9" in worker.log()
    finally:
        camera.stop()
