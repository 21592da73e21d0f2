"""The split check path with real workers: a threads-pool capture worker waits on the camera and
hands the burst's JPEG bytes through Redis to a prefork counting worker (CHECK_PIPELINE=split)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cameras.models import Evidence, Observation, ObservationStatus
from compliance.tasks import tick_and_publish
from places.models import Office
from tests.camservers.snapshot_camera import FlakyCamera
from tests.factories import CameraFactory
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_burst_captured_on_threads_is_counted_on_a_prefork_worker(
    start_worker, kendari, shared_dir, settings
):
    settings.CHECK_PIPELINE = "split"
    settings.CHECK_BATCH_SIZE = 2
    jpeg = (shared_dir / "frames" / "obo_back_f0242.jpg").read_bytes()
    camera = FlakyCamera(jpeg, hang_first=False)
    try:
        capture = start_worker(concurrency=8, queues="capture", pool="threads")
        count = start_worker(concurrency=1, queues="count")
        slot = timezone.now().replace(microsecond=0) - timedelta(seconds=30)
        ids = []
        offices = list(Office.objects.order_by("code")[:3])
        # Out of the tick's plan (inactive): at the real clock in office hours the tick would
        # plan these offices' own slots too, and the test's three would queue behind them.
        Office.objects.filter(pk__in=[office.pk for office in offices]).update(active=False)
        for office in offices:
            observed = CameraFactory(
                office=office,
                source_url=camera.url,
                burst_frames=3,
                burst_interval_seconds=1,
                timeout_seconds=20,
            )
            ids.append(
                Observation.objects.create(
                    camera=observed,
                    slot=slot,
                    office_date=timezone.localdate(slot),
                    kind="opening",
                    expires_at=slot + timedelta(minutes=10),
                ).pk
            )
        assert tick_and_publish(timezone.now()) >= 3  # two messages: groups of 2 and 1

        def done() -> bool:
            statuses = set(Observation.objects.filter(pk__in=ids).values_list("status", flat=True))
            return statuses == {ObservationStatus.OK}

        wait_for(done, 120, "split checks never finished: " + count.log()[-2000:])
        rows = Observation.objects.filter(pk__in=ids)
        assert set(rows.values_list("people_in_zone", "attempts")) == {(1, 1)}
        assert Evidence.objects.filter(observation__in=ids).count() == 3
        assert camera.requests == 9  # three frames a check, each fetched once
        for row in rows:
            # Captured before it was counted; the count's own time excludes the 2 s burst.
            assert row.captured_at is not None
            assert row.recorded_at is not None
            assert row.captured_at <= row.recorded_at
            assert row.duration_ms is not None
            assert row.duration_ms < 2000
        # Each stage ran where it is routed ("Task name[id] received" lines).
        assert "cameras.tasks.capture_checks[" in capture.log()
        assert "cameras.tasks.count_check[" in count.log()
        assert "cameras.tasks.count_check[" not in capture.log()
        assert "cameras.tasks.capture_checks[" not in count.log()
    finally:
        camera.stop()
