"""Export the daily report or the monthly recap to a file (xlsx or CSV)."""

import re
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from places.models import LocalGovernment
from reports import csv_export, services


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Tanggal harus berbentuk YYYY-MM-DD: %(value)s") % {"value": value}
        ) from None


def _month(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match[2]) <= 12:
        raise CommandError(_("Bulan harus berbentuk YYYY-MM: %(value)s") % {"value": value})
    return int(match[1]), int(match[2])


class Command(BaseCommand):
    help = (
        "Export the daily report (--date YYYY-MM-DD) or the monthly recap (--month YYYY-MM) "
        "as xlsx or CSV. Example: manage.py export_report --date 2026-11-24 --out harian.xlsx"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--date", help="local date of the daily report, YYYY-MM-DD")
        which.add_argument("--month", help="month of the recap, YYYY-MM")
        parser.add_argument(
            "--out",
            help="output file (default: laporan-harian-<date>.<format> or "
            "rekap-bulanan-<month>.<format> in the current directory)",
        )
        parser.add_argument(
            "--pemda",
            metavar="KODE",
            help="only this local government's offices (Kemendagri code, e.g. 74.71); "
            "default: every government in the deployment",
        )
        parser.add_argument(
            "--format",
            choices=["xlsx", "csv"],
            help="default: from the --out suffix, else xlsx",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Files for the city speak the deployment language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            self._export(options)

    def _export(self, options: dict[str, Any]) -> None:
        out = Path(options["out"]) if options["out"] else None
        code = options["pemda"]
        if code and not LocalGovernment.objects.filter(code=code).exists():
            raise CommandError(f"unknown local government code {code!r}")
        fmt = options["format"] or (
            "csv" if out is not None and out.suffix.lower() == ".csv" else "xlsx"
        )
        if options["date"]:
            day = _day(options["date"])
            out = out or Path(services.daily_filename(day, fmt))
            if fmt == "csv":
                self._write_csv(out, services.daily_csv_lines(day, government_code=code))
            else:
                with out.open("wb") as handle:
                    services.write_daily_xlsx(day, handle, government_code=code)
        else:
            year, month = _month(options["month"])
            out = out or Path(services.monthly_filename(year, month, fmt))
            if fmt == "csv":
                self._write_csv(out, services.monthly_csv_lines(year, month, government_code=code))
            else:
                services.write_monthly_xlsx(year, month, str(out), government_code=code)
        self.stdout.write(str(out))

    def _write_csv(self, out: Path, lines: Any) -> None:
        with out.open("w", encoding="utf-8", newline="") as handle:
            csv_export.write_lines(lines, handle)
