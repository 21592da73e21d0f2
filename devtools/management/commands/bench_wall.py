from datetime import timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cameras.domain.wall import still_slot
from cameras.models import Camera, CameraKind, CameraStill
from devtools.benchmarking import time_page
from places.models import Kecamatan, LocalGovernment
from places.seeding import synthetic_kecamatan_code


class Command(BaseCommand):
    help = (
        "Benchmark the command-centre wall: N synthetic cameras (twelve per kecamatan, each with "
        "a current still) in a transaction that is rolled back. Renders the self-refreshing grid "
        "through the whole Django stack and prints the median time and the query count."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cameras", type=int, nargs="+", default=[83, 1000])
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args: object, cameras: list[int], repeat: int, **options: object) -> None:
        url = reverse("cameras:wall_partial")
        # Every camera has a still for this interval: the wall asks no capture of them.
        with mock.patch("cameras.tasks.capture_still.apply_async"):
            for count in cameras:
                with transaction.atomic():
                    timing = time_page(self._create_cameras(count), url, repeat)
                    transaction.set_rollback(True)
                self.stdout.write(
                    f"cameras={count} wall_ms_median={timing.median_ms:.0f} "
                    f"wall_ms_min={timing.min_ms:.0f} queries={timing.queries} "
                    f"html_kb={timing.size_bytes // 1024}"
                )

    def _create_cameras(self, count: int) -> Client:
        # Only the synthetic cameras are on the wall while the transaction lasts.
        Camera.objects.update(enabled=False)
        government = LocalGovernment.objects.create(code="99.97", name="Bench", kind="kabupaten")
        kecamatan = Kecamatan.objects.bulk_create(
            Kecamatan(
                local_government=government,
                code=synthetic_kecamatan_code("99.97", n),
                name=f"Kecamatan {n}",
            )
            for n in range((count + 11) // 12)
        )
        created = Camera.objects.bulk_create(
            Camera(
                local_government=government,
                kind=CameraKind.PUBLIC_AREA,
                kecamatan=kecamatan[n // 12],
                name=f"Kamera {n}",
                source_url="http://127.0.0.1:9/snapshot.jpg",
                health_state="online",
            )
            for n in range(count)
        )
        now = timezone.now()
        slot = still_slot(now, 30)
        stills = CameraStill.objects.bulk_create(
            CameraStill(
                camera=camera,
                slot=slot,
                status="ok",
                captured_at=now - timedelta(seconds=5),
                people_count=n % 7,
                image=f"stills/{camera.pk}/bench.jpg",
            )
            for n, camera in enumerate(created)
        )
        for camera, still in zip(created, stills, strict=True):
            camera.latest_still = camera.latest_picture = still
        Camera.objects.bulk_update(created, ["latest_still", "latest_picture"], batch_size=1000)
        user = get_user_model().objects.create(
            username="bench-wall", is_staff=True, is_superuser=True
        )
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        return client
