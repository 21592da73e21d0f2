"""Synthetic governments and timing for bench_board and bench_export (bench-only code).

`build_government` writes N offices (16 per kecamatan, one camera each), `days` days of
verdicts ending on `last_day` and a morning of observations on `last_day`. On PostgreSQL the
verdicts and observations go in one `INSERT ... SELECT generate_series` each (a province in a
few seconds); elsewhere through the ORM. Callers run it inside a transaction they roll back.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cameras.models import Camera, Observation
from compliance.models import DailyVerdict
from kelurahan_monitor.roles import Role
from places.models import Kecamatan, LocalGovernment, Office, StaffProfile
from places.seeding import synthetic_kecamatan_code

OFFICES_PER_KECAMATAN = 16
# A plausible mix of a day's statuses, 20 long; office k on day offset d takes entry
# (7k + 3d) mod 20, so every day and every kecamatan has every status.
STATUS_CYCLE = ("on_time",) * 12 + ("late",) * 4 + ("not_opened", "no_data", "no_data", "excused")
_BATCH = 5000
_TABLES = (Office, Kecamatan, Camera, Observation, DailyVerdict)


@dataclass(frozen=True)
class Synthetic:
    government: LocalGovernment
    offices: int
    kecamatan: int
    last_day: date
    days: int


def build_government(
    code: str, offices: int, last_day: date, days: int, observations: bool = True
) -> Synthetic:
    """One synthetic government with its offices, cameras, verdicts and a morning's checks."""
    government = LocalGovernment.objects.create(code=code, name=f"Bench {code}", kind="kabupaten")
    kecamatan = Kecamatan.objects.bulk_create(
        Kecamatan(
            local_government=government,
            code=synthetic_kecamatan_code(code, n),
            name=f"Kecamatan {n:04d}",
        )
        for n in range((offices + OFFICES_PER_KECAMATAN - 1) // OFFICES_PER_KECAMATAN)
    )
    created = Office.objects.bulk_create(
        (
            Office(
                code=f"{code}.{n // 10000:02d}.{n % 10000:04d}",
                name=f"Kelurahan {n:05d}",
                kecamatan=kecamatan[n // OFFICES_PER_KECAMATAN],
            )
            for n in range(offices)
        ),
        batch_size=_BATCH,
    )
    Camera.objects.bulk_create(
        (Camera.for_office(office, name="c", source_url="file:///dev/null") for office in created),
        batch_size=_BATCH,
    )
    zone = ZoneInfo(government.time_zone)
    if connection.vendor == "postgresql":
        _insert_verdicts_sql(government.pk, last_day, days, zone)
        if observations:
            _insert_observations_sql(government.pk, last_day, zone)
        with connection.cursor() as cursor:
            for model in _TABLES:
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    else:
        _insert_verdicts_orm(created, last_day, days, zone)
        if observations:
            _insert_observations_orm(government.pk, last_day, zone)
    return Synthetic(government, offices, len(kecamatan), last_day, days)


def _status_sql() -> str:
    cases = " ".join(f"WHEN {n} THEN '{status}'" for n, status in enumerate(STATUS_CYCLE))
    return f"(CASE (o.id * 7 + d * 3) %% {len(STATUS_CYCLE)} {cases} END)"


def _insert_verdicts_sql(government_id: int, last_day: date, days: int, zone: ZoneInfo) -> None:
    """Verdicts of every office for `days` days ending on `last_day`; only the last day is
    provisional. Late offices are 16-75 minutes late; opened offices opened at 07:30 + late."""
    verdict, office, kecamatan = (
        DailyVerdict._meta.db_table,
        Office._meta.db_table,
        Kecamatan._meta.db_table,
    )
    status = _status_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {verdict} (
                office_id, date, status, is_final, scheduled_open, opened_at, minutes_late,
                coverage, evidence_observation_ids, reason, computed_at, override_status,
                override_reason
            )
            SELECT o.id, s.day, s.status, s.d > 0, s.scheduled,
                CASE WHEN s.status IN ('on_time', 'late')
                     THEN s.scheduled + make_interval(mins => COALESCE(s.late, 0)::int) END,
                s.late, 0.9, '[]', '', now(), '', ''
            FROM {office} o JOIN {kecamatan} k ON k.id = o.kecamatan_id
            CROSS JOIN generate_series(0, %(last)s) d
            CROSS JOIN LATERAL (
                SELECT d, %(day)s::date - d AS day, {status} AS status,
                    ((%(day)s::date - d)::timestamp + time '07:30') AT TIME ZONE %(zone)s
                        AS scheduled,
                    CASE WHEN {status} = 'late' THEN (16 + o.id %% 60)::int END AS late
            ) s
            WHERE k.local_government_id = %(government)s
            """,  # noqa: S608 (table names from the models; every value is a parameter)
            {"last": days - 1, "day": last_day, "zone": zone.key, "government": government_id},
        )


def _insert_observations_sql(government_id: int, day: date, zone: ZoneInfo) -> None:
    """Six checks 07:00-07:25 per camera on `day`; every 17th camera fails from 07:10."""
    observation, camera = Observation._meta.db_table, Camera._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {observation} (
                camera_id, slot, office_date, kind, status, dispatch_count, people_count,
                people_in_zone, detector_name, detector_version, frame_signature, health,
                people_signals, error_message, claim_token, attempts, recorded_at, created_at
            )
            SELECT c.id, %(first)s + make_interval(mins => 5 * g), %(day)s, 'opening',
                CASE WHEN c.id %% 17 = 0 AND g >= 2 THEN 'timeout' ELSE 'ok' END, 1,
                CASE WHEN c.id %% 17 = 0 AND g >= 2 THEN NULL ELSE 1 END,
                CASE WHEN c.id %% 17 = 0 AND g >= 2 THEN NULL ELSE 1 END,
                '', '', '', '{{}}', '{{}}', '', '', 1, now(), now()
            FROM {camera} c CROSS JOIN generate_series(0, 5) g
            WHERE c.local_government_id = %(government)s
            """,  # noqa: S608 (table names from the models; every value is a parameter)
            {
                "first": datetime.combine(day, clock_time(7), zone),
                "day": day,
                "government": government_id,
            },
        )


def _insert_verdicts_orm(offices: list[Office], last_day: date, days: int, zone: ZoneInfo) -> None:
    batch: list[DailyVerdict] = []
    for office in offices:
        for offset in range(days):
            day = last_day - timedelta(days=offset)
            status = STATUS_CYCLE[(office.pk * 7 + offset * 3) % len(STATUS_CYCLE)]
            scheduled = datetime.combine(day, clock_time(7, 30), zone)
            late = 16 + office.pk % 60 if status == "late" else None
            batch.append(
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
        if len(batch) >= _BATCH:
            DailyVerdict.objects.bulk_create(batch)
            batch = []
    DailyVerdict.objects.bulk_create(batch)


def _insert_observations_orm(government_id: int, day: date, zone: ZoneInfo) -> None:
    first = datetime.combine(day, clock_time(7), zone)
    Observation.objects.bulk_create(
        (
            Observation(
                camera_id=camera_id,
                slot=first + timedelta(minutes=5 * step),
                office_date=day,
                status="timeout" if camera_id % 17 == 0 and step >= 2 else "ok",
                people_in_zone=None if camera_id % 17 == 0 and step >= 2 else 1,
            )
            for camera_id in Camera.objects.filter(local_government_id=government_id)
            .values_list("pk", flat=True)
            .iterator()
            for step in range(6)
        ),
        batch_size=_BATCH,
    )


def government_user(government: LocalGovernment, username: str) -> User:
    """The government's Diskominfo (reads every office of it, may export): what the mayor's
    office and the provincial operator see."""
    # AUTH_USER_MODEL is django.contrib.auth's User.
    user = User.objects.create(username=username, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=Role.DISKOMINFO.value)[0])
    StaffProfile.objects.create(user=user, local_government=government)
    return user


@dataclass(frozen=True)
class Measure:
    median_s: float
    min_s: float
    queries: int
    peak_mib: float  # Python allocations at the peak of one more run (tracemalloc)


def measure(run: Callable[[], object], repeat: int) -> Measure:
    """Run once to warm caches, then `repeat` timed runs, then one run under tracemalloc
    (which slows Python down, so it is never timed). Queries are those of the last timed run."""
    run()
    durations: list[float] = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            run()
            durations.append(time.perf_counter() - started)
        queries = len(captured)
    tracemalloc.start()
    try:
        run()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measure(statistics.median(durations), min(durations), queries, peak / 2**20)
