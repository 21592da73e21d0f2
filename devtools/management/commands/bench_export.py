"""Time the monthly exports over synthetic offices, inside a transaction that is rolled back.

    python manage.py bench_export                 # 65 and 5000 offices, October 2026 (31 days)
    python manage.py bench_export --offices 1000 --month 2026-12

Prints one line per size: offices, days, seconds for the xlsx and the CSV (queries included)
and the process's peak resident memory (ru_maxrss, which only grows: sizes run smallest first).
"""

import random
import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from compliance.models import DailyVerdict, VerdictStatus
from places.models import Kecamatan, LocalGovernment, Office
from reports import csv_export, excel, selectors

GOVERNMENT_CODE = "99.99"
_BATCH = 5000
_WEIGHTS = [
    (VerdictStatus.ON_TIME, 70),
    (VerdictStatus.LATE, 15),
    (VerdictStatus.NOT_OPENED, 4),
    (VerdictStatus.NO_DATA, 7),
    (VerdictStatus.CLOSED_EARLY, 2),
    (VerdictStatus.EXCUSED, 2),
]


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Benchmark the monthly xlsx and CSV exports for N synthetic offices (rolled back)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offices", type=int, nargs="+", default=[65, 5000])
        parser.add_argument("--month", default="2026-10", help="YYYY-MM (default 2026-10)")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        year, month = (int(part) for part in options["month"].split("-"))
        for count in sorted(options["offices"]):
            try:
                with transaction.atomic():
                    self._run(count, year, month, random.Random(options["seed"]))  # noqa: S311
                    raise _Rollback
            except _Rollback:
                pass

    def _run(self, count: int, year: int, month: int, rng: random.Random) -> None:
        zone = ZoneInfo("Asia/Makassar")
        days = selectors.month_days(year, month)
        seed_started = time.perf_counter()
        offices = self._offices(count)
        statuses, weights = zip(*_WEIGHTS, strict=True)
        batch: list[DailyVerdict] = []
        for office in offices:
            for day in days:
                batch.append(self._verdict(office, day, zone, rng, statuses, weights))
                if len(batch) >= _BATCH:
                    DailyVerdict.objects.bulk_create(batch)
                    batch = []
        DailyVerdict.objects.bulk_create(batch)
        seed_seconds = time.perf_counter() - seed_started
        rss_before = _peak_rss_mib()

        with tempfile.TemporaryDirectory() as folder:
            xlsx = Path(folder) / "recap.xlsx"
            started = time.perf_counter()
            report = selectors.monthly_report(year, month, government_code=GOVERNMENT_CODE)
            excel.write_monthly_workbook(report.rows, report.meta, selectors.status_legend(), xlsx)
            xlsx_seconds = time.perf_counter() - started

            csv_path = Path(folder) / "recap.csv"
            started = time.perf_counter()
            report = selectors.monthly_report(year, month, government_code=GOVERNMENT_CODE)
            with csv_path.open("w", encoding="utf-8", newline="") as out:
                csv_export.write_lines(
                    csv_export.monthly_csv_lines(
                        report.rows, report.meta, selectors.status_legend()
                    ),
                    out,
                )
            csv_seconds = time.perf_counter() - started
            sizes = xlsx.stat().st_size / 2**20, csv_path.stat().st_size / 2**20

        self.stdout.write(
            f"offices={count} days={len(days)} xlsx_seconds={xlsx_seconds:.2f} "
            f"csv_seconds={csv_seconds:.2f} peak_rss_mib={_peak_rss_mib():.0f} "
            f"rss_before_export_mib={rss_before:.0f} xlsx_mib={sizes[0]:.2f} "
            f"csv_mib={sizes[1]:.2f} seed_seconds={seed_seconds:.1f}"
        )

    def _offices(self, count: int) -> list[Office]:
        government, _created = LocalGovernment.objects.get_or_create(
            code=GOVERNMENT_CODE,
            defaults={"name": "Benchmark", "kind": LocalGovernment.Kind.KOTA},
        )
        n_kecamatan = min(99, max(1, round(count / 6)))
        kecamatan = Kecamatan.objects.bulk_create(
            Kecamatan(
                local_government=government,
                code=f"{GOVERNMENT_CODE}.{k + 1:02d}",
                name=f"Kecamatan Uji {k + 1:02d}",
            )
            for k in range(n_kecamatan)
        )
        Office.objects.bulk_create(
            (
                Office(
                    kecamatan=kecamatan[i % n_kecamatan],
                    code=f"{GOVERNMENT_CODE}.{i % n_kecamatan + 1:02d}.{i + 1:04d}",
                    name=f"Kelurahan Uji {i + 1:04d}",
                )
                for i in range(count)
            ),
            batch_size=_BATCH,
        )
        return list(Office.objects.filter(kecamatan__local_government=government))

    @staticmethod
    def _verdict(
        office: Office,
        day: date,
        zone: ZoneInfo,
        rng: random.Random,
        statuses: tuple[str, ...],
        weights: tuple[int, ...],
    ) -> DailyVerdict:
        if day.weekday() >= 5:
            return DailyVerdict(
                office=office, date=day, status=VerdictStatus.NON_WORKING_DAY, is_final=True
            )
        status = rng.choices(statuses, weights)[0]
        scheduled = datetime.combine(day, datetime.min.time(), zone).replace(hour=7, minute=30)
        late = rng.randint(16, 90) if status == VerdictStatus.LATE else None
        opened = None
        if status in (VerdictStatus.ON_TIME, VerdictStatus.LATE, VerdictStatus.CLOSED_EARLY):
            opened = scheduled + timedelta(minutes=late or rng.randint(-20, 14))
        return DailyVerdict(
            office=office,
            date=day,
            status=status,
            is_final=True,
            scheduled_open=scheduled.astimezone(UTC),
            opened_at=opened.astimezone(UTC) if opened else None,
            minutes_late=late,
            coverage=round(rng.uniform(0.5, 1.0), 4),
        )
