from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cameras.models import Camera, Observation
from compliance.models import DailyVerdict
from devtools.benchmarking import time_page
from places.models import Kecamatan, LocalGovernment, Office
from places.seeding import synthetic_kecamatan_code

STATUS_CYCLE = (
    ["on_time"] * 12 + ["late"] * 4 + ["not_opened", "no_data", "no_data", "excused"]
)  # a plausible city mix, 20 long


class Command(BaseCommand):
    help = (
        "Benchmark the board page: N synthetic offices (six per kecamatan, one camera each) with "
        "31 days of verdicts, created in a transaction that is rolled back. Renders the board "
        "through the whole Django stack and prints the median time and the query count."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offices", type=int, nargs="+", default=[65, 5000])
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args: object, offices: list[int], repeat: int, **options: object) -> None:
        for count in offices:
            with transaction.atomic():
                timing = time_page(self._create_city(count), reverse("compliance:board"), repeat)
                transaction.set_rollback(True)
            self.stdout.write(
                f"offices={count} board_ms_median={timing.median_ms:.0f} "
                f"board_ms_min={timing.min_ms:.0f} queries={timing.queries} "
                f"html_kb={timing.size_bytes // 1024}"
            )

    def _create_city(self, count: int) -> Client:
        # Only the synthetic offices are on the board while the transaction lasts.
        Office.objects.filter(active=True).update(active=False)
        government = LocalGovernment.objects.create(code="99.98", name="Bench", kind="kota")
        kecamatan = Kecamatan.objects.bulk_create(
            Kecamatan(
                local_government=government,
                code=synthetic_kecamatan_code("99.98", n),
                name=f"Kecamatan {n}",
            )
            for n in range((count + 5) // 6)
        )
        created = Office.objects.bulk_create(
            Office(
                code=f"99.98.{n // 10000:02d}.{n % 10000:04d}",
                name=f"Kelurahan {n}",
                kecamatan=kecamatan[n // 6],
            )
            for n in range(count)
        )
        today = timezone.localdate()
        zone = timezone.get_current_timezone()
        verdicts = []
        for index, office in enumerate(created):
            for offset in range(31):
                day = today - timedelta(days=offset)
                status = STATUS_CYCLE[(index * 7 + offset * 3) % len(STATUS_CYCLE)]
                scheduled = datetime.combine(day, time(7, 30), tzinfo=zone)
                late = 16 + (index % 60) if status == "late" else None
                verdicts.append(
                    DailyVerdict(
                        office=office,
                        date=day,
                        status=status,
                        is_final=offset > 0,
                        scheduled_open=scheduled,
                        opened_at=scheduled + timedelta(minutes=late or 0)
                        if status in ("on_time", "late")
                        else None,
                        minutes_late=late,
                        coverage=0.9,
                    )
                )
        DailyVerdict.objects.bulk_create(verdicts, batch_size=5000)
        cameras = Camera.objects.bulk_create(
            Camera.for_office(office, name="c", source_url="file:///dev/null") for office in created
        )
        observations = []
        for index, camera in enumerate(cameras):
            for step in range(6):
                slot = datetime.combine(today, time(7, 0), tzinfo=zone) + timedelta(
                    minutes=5 * step
                )
                failing = index % 17 == 0 and step >= 2
                observations.append(
                    Observation(
                        camera=camera,
                        slot=slot,
                        office_date=today,
                        status="timeout" if failing else "ok",
                        people_in_zone=None if failing else 1,
                    )
                )
        Observation.objects.bulk_create(observations, batch_size=5000)
        # A superuser is Diskominfo of every government: the board shows every office.
        user = get_user_model().objects.create(
            username="bench-board", is_staff=True, is_superuser=True
        )
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        return client
