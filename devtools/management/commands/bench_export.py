"""bench_export: the daily and monthly exports for N synthetic offices (rolled back).

    python manage.py bench_export                       # 5000 offices
    python manage.py bench_export --offices 1000 5000   # memory and queries flat in N?

One line per export (daily_xlsx, daily_csv, monthly_xlsx, monthly_csv): offices, median and
min seconds of --repeat runs of the service the download view calls (queries included), the
queries of one run, the peak Python memory of one run (tracemalloc) and the file size.
"""

import io
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from devtools import page_bench
from reports import services

GOVERNMENT_CODE = "99.96"


class Command(BaseCommand):
    help = "Benchmark the daily and monthly xlsx and CSV exports for N synthetic offices."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offices", type=int, nargs="+", default=[5000])
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args: Any, offices: list[int], repeat: int, **options: Any) -> None:
        for count in offices:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                with connection.cursor() as cursor:
                    for model in page_bench._TABLES:
                        cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
            with transaction.atomic():
                for line in self._run(count, repeat):
                    self.stdout.write(line)
                transaction.set_rollback(True)

    def _run(self, count: int, repeat: int) -> list[str]:
        today = timezone.localdate()
        last_month_end = today.replace(day=1) - timedelta(days=1)
        page_bench.build_government(
            GOVERNMENT_CODE, count, today, (today - last_month_end.replace(day=1)).days + 1, False
        )
        year, month, day = last_month_end.year, last_month_end.month, today - timedelta(days=1)
        sizes: dict[str, int] = {}

        def daily_xlsx() -> None:
            out = io.BytesIO()
            services.write_daily_xlsx(day, out, government_code=GOVERNMENT_CODE)
            sizes["daily_xlsx"] = out.tell()

        def daily_csv() -> None:
            lines = services.daily_csv_lines(day, government_code=GOVERNMENT_CODE)
            sizes["daily_csv"] = sum(len(line.encode()) for line in lines)

        def monthly_xlsx() -> None:
            out = io.BytesIO()
            services.write_monthly_xlsx(year, month, out, government_code=GOVERNMENT_CODE)
            sizes["monthly_xlsx"] = out.tell()

        def monthly_csv() -> None:
            lines = services.monthly_csv_lines(year, month, government_code=GOVERNMENT_CODE)
            sizes["monthly_csv"] = sum(len(line.encode()) for line in lines)

        result = []
        for name, run in (
            ("daily_xlsx", daily_xlsx),
            ("daily_csv", daily_csv),
            ("monthly_xlsx", monthly_xlsx),
            ("monthly_csv", monthly_csv),
        ):
            timing = page_bench.measure(run, repeat)
            result.append(
                f"offices={count} export={name} median_s={timing.median_s:.2f} "
                f"min_s={timing.min_s:.2f} queries={timing.queries} "
                f"peak_mib={timing.peak_mib:.1f} file_kib={sizes[name] // 1024}"
            )
        return result
