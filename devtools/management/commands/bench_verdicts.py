"""bench_verdicts: the final verdicts of one day for N offices with C observations each."""

import statistics
import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cameras.models import Camera, Observation
from compliance.finalisation import finalise_day, restart_finalisation
from compliance.models import DailyVerdict, SecurityEvent
from places.models import Kecamatan, LocalGovernment, Office, OpeningHours

DAY = date(2026, 11, 24)  # a Tuesday, no holiday
FIRST_SLOT = time(7, 0)
SLOT_MINUTES = 5
_BUILD_BATCH = 5000


class Command(BaseCommand):
    help = (
        "Benchmark the nightly final verdicts: build N synthetic offices with C settled "
        "observations each on one day (in a transaction that is rolled back), then time the "
        "finalisation of that day (every batch, in this process). Prints the median of "
        "--repeat runs; PostgreSQL tables are VACUUM ANALYZEd first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offices", type=int, nargs="+", default=[1000])
        parser.add_argument("--checks", type=int, default=42)
        parser.add_argument("--repeat", type=int, default=3)

    def handle(
        self, *args: object, offices: list[int], checks: int, repeat: int, **options: object
    ) -> None:
        postgres = connection.vendor == "postgresql"
        for count in offices:
            if postgres and not connection.in_atomic_block:  # (tests run inside a transaction)
                self._vacuum_analyze()
            with transaction.atomic():
                started = clock.perf_counter()
                zone = self._build(count, checks, postgres)
                build_seconds = clock.perf_counter() - started
                if postgres:
                    self._analyze()
                now = datetime.combine(DAY + timedelta(days=1), time(12), zone)
                durations: list[float] = []
                cpu: list[float] = []
                queries = 0
                for _ in range(repeat):
                    DailyVerdict.objects.filter(date=DAY).delete()
                    SecurityEvent.objects.all().delete()
                    restart_finalisation(DAY)
                    with CaptureQueriesContext(connection) as captured:
                        started, cpu_started = clock.perf_counter(), clock.process_time()
                        step = finalise_day(DAY, now)
                        durations.append(clock.perf_counter() - started)
                        cpu.append(clock.process_time() - cpu_started)
                    queries = len(captured)
                    if not step.done:
                        raise RuntimeError(f"finalisation did not finish: {step}")
                final = DailyVerdict.objects.filter(date=DAY, is_final=True).count()
                transaction.set_rollback(True)
            runs = ",".join(f"{seconds:.2f}" for seconds in durations)
            self.stdout.write(
                f"build_seconds={build_seconds:.1f} observations={count * checks} "
                f"final_verdicts={final} runs_seconds={runs} "
                f"python_cpu_seconds_median={statistics.median(cpu):.1f}"
            )
            self.stdout.write(
                f"offices={count} checks={checks} "
                f"verdicts_seconds={statistics.median(durations):.1f} queries={queries}"
            )

    def _build(self, count: int, checks: int, postgres: bool) -> ZoneInfo:
        government = LocalGovernment.objects.create(code="99.98", name="Bench", kind="kota")
        kecamatan = Kecamatan.objects.create(local_government=government, code="99.98.01", name="B")
        OpeningHours.objects.bulk_create(
            OpeningHours(
                local_government=government, weekday=day, opens_at=time(7, 30), closes_at=time(16)
            )
            for day in range(5)
        )
        created = Office.objects.bulk_create(
            (
                Office(
                    code=f"99.98.{n // 10000:02d}.{n % 10000:04d}",
                    name=f"Bench {n}",
                    kecamatan=kecamatan,
                )
                for n in range(count)
            ),
            batch_size=_BUILD_BATCH,
        )
        Camera.objects.bulk_create(
            (
                Camera.for_office(office, name="c", source_url="file:///dev/null")
                for office in created
            ),
            batch_size=_BUILD_BATCH,
        )
        zone = ZoneInfo(government.time_zone)
        first = datetime.combine(DAY, FIRST_SLOT, zone)
        if postgres:
            self._insert_observations_sql(government.pk, first, checks)
        else:
            self._insert_observations_orm(government.pk, first, checks)
        return zone

    def _insert_observations_sql(self, government_id: int, first: datetime, checks: int) -> None:
        """One INSERT ... SELECT over generate_series: millions of rows in seconds. Office k
        opens at 07:00 + 5 min x (k mod 12) (on time, late, ...); every 17th check failed."""
        observation = Observation._meta.db_table
        camera = Camera._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {observation} (
                    camera_id, slot, office_date, kind, status, dispatch_count, people_count,
                    people_in_zone, detector_name, detector_version, frame_signature, health,
                    people_signals, error_message, claim_token, attempts, recorded_at, created_at
                )
                SELECT c.id, %(first)s + make_interval(mins => %(step)s * g), %(day)s,
                    'opening',
                    CASE WHEN (c.id + g) %% 17 = 0 THEN 'timeout' ELSE 'ok' END, 1,
                    CASE WHEN (c.id + g) %% 17 = 0 THEN NULL
                         WHEN g >= c.office_id %% 12 THEN 1 ELSE 0 END,
                    CASE WHEN (c.id + g) %% 17 = 0 THEN NULL
                         WHEN g >= c.office_id %% 12 THEN 1 ELSE 0 END,
                    '', '', '', '{{}}', '{{}}', '', '', 1, now(), now()
                FROM {camera} c CROSS JOIN generate_series(0, %(last)s) g
                WHERE c.local_government_id = %(government)s
                """,  # noqa: S608 (table names from the models; every value is a parameter)
                {
                    "first": first,
                    "step": SLOT_MINUTES,
                    "day": DAY,
                    "last": checks - 1,
                    "government": government_id,
                },
            )

    def _insert_observations_orm(self, government_id: int, first: datetime, checks: int) -> None:
        cameras = Camera.objects.filter(local_government_id=government_id).values_list(
            "pk", "office_id"
        )
        batch: list[Observation] = []
        for camera_id, office_id in cameras:
            for n in range(checks):
                failed = (camera_id + n) % 17 == 0
                people = None if failed else int(n >= office_id % 12)
                batch.append(
                    Observation(
                        camera_id=camera_id,
                        slot=first + timedelta(minutes=SLOT_MINUTES * n),
                        office_date=DAY,
                        kind="opening",
                        status="timeout" if failed else "ok",
                        people_count=people,
                        people_in_zone=people,
                    )
                )
            if len(batch) >= _BUILD_BATCH:
                Observation.objects.bulk_create(batch)
                batch = []
        Observation.objects.bulk_create(batch)

    _TABLES = (Observation, Camera, Office, DailyVerdict, SecurityEvent)

    def _vacuum_analyze(self) -> None:
        with connection.cursor() as cursor:
            for model in self._TABLES:
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")

    def _analyze(self) -> None:
        with connection.cursor() as cursor:
            for model in self._TABLES:
                cursor.execute(f"ANALYZE {model._meta.db_table}")
