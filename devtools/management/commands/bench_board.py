"""bench_board: the pages a government's staff read, for N synthetic offices (rolled back).

    python manage.py bench_board                        # 5000 offices
    python manage.py bench_board --offices 1000 5000    # memory and queries flat in N?
    python manage.py bench_board --offices 100000 --governments 200   # a national operator

One line per page: offices, page, median and min of --repeat runs through the whole Django
stack (test client), queries of one render, peak Python memory of one render (tracemalloc)
and the HTML size. PostgreSQL tables are VACUUM ANALYZEd first. With --governments G the
offices are spread over G governments (one day of verdicts) and read by the deployment's
operator (a superuser): the board and one government of it.
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from devtools import page_bench
from places.models import Kecamatan

DAYS = 62  # the month view shows the last whole month; rankings the last 30 days


class Command(BaseCommand):
    help = (
        "Benchmark the board (and a kecamatan of it), rankings and the month view for N "
        "synthetic offices of one government, read by its Diskominfo; prints medians, "
        "queries, peak memory and HTML size per page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offices", type=int, nargs="+", default=[5000])
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument(
            "--governments",
            type=int,
            default=1,
            help="spread the offices over this many governments, read by an operator",
        )

    def handle(
        self, *args: object, offices: list[int], repeat: int, governments: int, **options: object
    ) -> None:
        for count in offices:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                with connection.cursor() as cursor:
                    for model in page_bench._TABLES:
                        cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
            with transaction.atomic():
                run = self._run if governments == 1 else self._run_national
                for line in run(count, repeat, governments):
                    self.stdout.write(line)
                transaction.set_rollback(True)

    def _run(self, count: int, repeat: int, _governments: int = 1) -> list[str]:
        today = timezone.localdate()
        built = page_bench.build_government("99.97", count, today, DAYS)
        client = Client(HTTP_HOST="localhost")
        client.force_login(page_bench.government_user(built.government, "bench-board"))
        last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        kecamatan_id = (
            Kecamatan.objects.filter(local_government=built.government)
            .order_by("name")
            .values_list("pk", flat=True)[0]
        )
        pages = {
            "board": reverse("compliance:board"),
            "board_kecamatan": reverse("compliance:board") + f"?kecamatan={kecamatan_id}",
            "rankings": reverse("compliance:rankings"),
            "month": reverse("compliance:month", kwargs={"month": last_month}),
            "week": reverse("compliance:week", kwargs={"day": today.isoformat()}),
        }
        return _measure_pages(client, pages, count, repeat)

    def _run_national(self, count: int, repeat: int, governments: int) -> list[str]:
        if not 1 < governments <= 800:
            raise CommandError("--governments is 2 to 800")
        today = timezone.localdate()
        per_government = max(1, count // governments)
        built = [
            page_bench.build_government(f"9{n // 100}.{n % 100:02d}", per_government, today, 1)
            for n in range(governments)
        ]
        operator = User.objects.create(username="bench-operator", is_staff=True, is_superuser=True)
        client = Client(HTTP_HOST="localhost")
        client.force_login(operator)
        board = reverse("compliance:board")
        pages = {
            "board_national": board,
            "board_one_government": board + f"?pemerintah={built[0].government.pk}",
        }
        return _measure_pages(client, pages, per_government * governments, repeat)


def _measure_pages(client: Client, pages: dict[str, str], count: int, repeat: int) -> list[str]:
    lines = []
    for name, url in pages.items():
        sizes: list[int] = []

        def get(url: str = url, sizes: list[int] = sizes) -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            sizes.append(len(response.content))

        result = page_bench.measure(get, repeat)
        lines.append(
            f"offices={count} page={name} median_ms={1000 * result.median_s:.0f} "
            f"min_ms={1000 * result.min_s:.0f} queries={result.queries} "
            f"peak_mib={result.peak_mib:.1f} html_kb={sizes[-1] // 1024}"
        )
    return lines
