import statistics
import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cameras.models import Camera
from compliance.services import plan_due_checks
from places.models import Kecamatan, LocalGovernment, Office, OpeningHours

# Working days in a row (no national holiday), one per timed run: each run claims fresh slots.
_FIRST_DAY = date(2026, 11, 10)


class Command(BaseCommand):
    help = (
        "Benchmark the one-minute tick: plan and claim the checks due at 07:30 local time for "
        "N synthetic offices (created in a transaction that is rolled back). Each timed run "
        "ticks a different working day, so every run claims one check per office. Prints "
        "medians and the query count of one tick. On PostgreSQL run VACUUM ANALYZE first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offices", type=int, nargs="+", default=[65, 1000, 10000])
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args: object, offices: list[int], repeat: int, **options: object) -> None:
        for count in offices:
            with transaction.atomic():
                zone = self._create_offices(count)
                durations, queries, dispatched = [], 0, 0
                for run in range(repeat):
                    day = _FIRST_DAY + timedelta(days=run)
                    now = datetime.combine(day, time(7, 30), tzinfo=zone)
                    with CaptureQueriesContext(connection) as captured:
                        started = clock.perf_counter()
                        result = plan_due_checks(now)
                        durations.append(clock.perf_counter() - started)
                    queries, dispatched = len(captured), len(result.dispatched)
                transaction.set_rollback(True)
            self.stdout.write(
                f"offices={count} tick_seconds_median={statistics.median(durations):.3f} "
                f"checks_dispatched={dispatched} queries={queries}"
            )

    def _create_offices(self, count: int) -> ZoneInfo:
        government = LocalGovernment.objects.create(code="99.99", name="Bench", kind="kota")
        kecamatan = Kecamatan.objects.create(local_government=government, code="99.99.01", name="B")
        OpeningHours.objects.bulk_create(
            OpeningHours(
                local_government=government, weekday=day, opens_at=time(7, 30), closes_at=time(16)
            )
            for day in range(7)
        )
        created = Office.objects.bulk_create(
            (
                Office(
                    code=f"99.99.{n // 10000:02d}.{n % 10000:04d}",
                    name=f"Bench {n}",
                    kecamatan=kecamatan,
                )
                for n in range(count)
            ),
            batch_size=5000,
        )
        Camera.objects.bulk_create(
            (
                Camera.for_office(office, name="c", source_url="file:///dev/null")
                for office in created
            ),
            batch_size=5000,
        )
        if connection.vendor == "postgresql":
            # Statistics for the rows just written (ANALYZE, unlike VACUUM, runs in a transaction).
            with connection.cursor() as cursor:
                for model in (Office, Camera, Kecamatan):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        return ZoneInfo(government.time_zone)
